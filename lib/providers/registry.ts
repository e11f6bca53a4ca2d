/** Provider type -> adapter. Later provider types register here. */
import type { Provider } from "../config/schema.ts";
import { withRepair } from "../repair/wrap.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { openaiAdapter } from "./openai.ts";
import { bedrockAdapter } from "./bedrock.ts";
import { claudeSubscriptionAdapter, isSubscription } from "./claude_subscription.ts";
import { vertexAdapter } from "./vertex.ts";
import type { ProviderAdapter } from "./types.ts";

const adapters: Record<Provider["type"], ProviderAdapter> = {
  anthropic: anthropicAdapter,
  bedrock: bedrockAdapter,
  vertex: vertexAdapter,
  openai: openaiAdapter,
};

/** Every adapter runs behind the cross-provider history repair (lib/repair/wrap.ts). */
const repaired = Object.fromEntries(
  Object.entries(adapters).map(([type, adapter]) => [type, withRepair(adapter)]),
) as Record<Provider["type"], ProviderAdapter>;
const repairedSubscription = withRepair(claudeSubscriptionAdapter);

/** The adapter for a provider's type. */
export function adapterFor(provider: Provider): ProviderAdapter {
  // A Claude subscription with OAuth credentials is Anthropic's API with a refreshing token.
  if (isSubscription(provider)) return repairedSubscription;
  return repaired[provider.type];
}
