/** The chain compiled from a config: model maps compiled, keys hashed, once per config load. */
import type { Config, Provider } from "../config/schema.ts";
import { sha256Hex } from "../crypto.ts";
import { modelMapperFor } from "../providers/model_ids.ts";
import type { ModelMapper } from "./model_map.ts";
import { targets } from "./targets.ts";

/** A stored key as the engine sees it: the secret, its cooldown target and a printable label. */
export interface ChainKey {
  value: string;
  /** `targets.key`: keys cool down one by one. */
  target: string;
  /** `<provider>#<n>`: what logs and headers show instead of the key. */
  label: string;
}

/** One provider ready for planning. */
export interface ChainProvider {
  provider: Provider;
  /** `targets.provider`: the provider-wide cooldown target. */
  target: string;
  mapModel: ModelMapper;
  keys: ChainKey[];
}

/** The config plus everything derived from it that the hot path needs. */
export interface Chain {
  config: Config;
  providers: ChainProvider[];
  /**
   * Where each provider's stored keys start next (round-robin, see plan.ts): the one piece of
   * request-driven state a chain carries, so it lives and dies with the app's config.
   */
  keyRotation: Map<string, number>;
}

/** Compiles a validated config; disabled providers are kept (the status page lists them). */
export async function compileChain(config: Config): Promise<Chain> {
  const providers = await Promise.all(config.providers.map(async (provider) => ({
    provider,
    target: targets.provider(provider.id),
    // The provider's model map, plus Bedrock/Vertex naming and Bedrock-style inbound names.
    mapModel: modelMapperFor(provider),
    keys: await Promise.all(provider.keys.map(async (value, i) => ({
      value,
      target: targets.key(provider.id, await sha256Hex(value)),
      label: `${provider.id}#${i + 1}`,
    }))),
  })));
  return { config, providers, keyRotation: new Map() };
}
