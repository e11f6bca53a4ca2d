/** Provider type -> adapter. Later provider types register here. */
import type { Provider } from "../config/schema.ts";
import { withRepair } from "../repair/wrap.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { openaiAdapter } from "./openai.ts";
import type { ProviderAdapter } from "./types.ts";

const adapters: Record<Provider["type"], ProviderAdapter> = {
  anthropic: anthropicAdapter,
  openai: openaiAdapter,
};

/** Every adapter runs behind the cross-provider history repair (lib/repair/wrap.ts). */
const repaired = Object.fromEntries(
  Object.entries(adapters).map(([type, adapter]) => [type, withRepair(adapter)]),
) as Record<Provider["type"], ProviderAdapter>;

/** The adapter for a provider's type. */
export function adapterFor(provider: Provider): ProviderAdapter {
  return repaired[provider.type];
}
