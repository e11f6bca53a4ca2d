/** Provider type -> adapter. Later provider types register here. */
import type { Provider } from "../config/schema.ts";
import { anthropicAdapter } from "./anthropic.ts";
import type { ProviderAdapter } from "./types.ts";

const adapters: Record<Provider["type"], ProviderAdapter> = {
  anthropic: anthropicAdapter,
};

/** The adapter for a provider's type. */
export function adapterFor(provider: Provider): ProviderAdapter {
  return adapters[provider.type];
}
