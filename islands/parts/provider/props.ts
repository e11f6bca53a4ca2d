/** What every section of the provider editor gets: the store and the provider's draft. */
import type { ProviderDraft } from "../draft.ts";
import type { Store } from "../store.ts";

export interface Props {
  store: Store;
  p: ProviderDraft;
}
