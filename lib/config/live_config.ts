/**
 * The config the hot path reads, held in memory as a compiled chain and refreshed when KV
 * changes (`kv.watch`, plus a periodic re-read in case a watch drops).
 */
import { type Chain, compileChain } from "../fallback/chain.ts";
import {
  loadConfig,
  saveConfig,
  type SaveResult,
  type StoredConfig,
} from "../store/config_store.ts";
import { type Config, defaultConfig } from "./schema.ts";
import { configSecrets, SecretSet } from "../http/secret_set.ts";

/** Told when a stored config was read leniently: the unknown fields it left out. */
export type IgnoredFieldsWarning = (msg: string, fields: { ignored: string[] }) => void;

export class LiveConfig {
  #kv: Deno.Kv;
  #chain: Chain;
  #versionstamp: string | null;
  #warn: IgnoredFieldsWarning;
  /** The exact secret values to redact, rebuilt with every config. */
  #secrets: SecretSet;
  /** Secrets from outside the config (ADMIN_TOKEN, ACCESS_KEYS, METRICS_TOKEN). */
  #envSecrets: string[] = [];

  private constructor(
    kv: Deno.Kv,
    chain: Chain,
    versionstamp: string | null,
    warn: IgnoredFieldsWarning,
  ) {
    this.#kv = kv;
    this.#chain = chain;
    this.#versionstamp = versionstamp;
    this.#warn = warn;
    this.#secrets = this.#buildSecrets();
  }

  /** Warns about a stored config read leniently (a newer Detour wrote it, or an older one). */
  static #ignored(stored: StoredConfig | null, warn: IgnoredFieldsWarning): void {
    if (stored && stored.ignored.length > 0) {
      warn("the stored config has fields this version does not know or cannot send; ignored", {
        ignored: stored.ignored,
      });
    }
  }

  #buildSecrets(): SecretSet {
    return SecretSet.of([...configSecrets(this.#chain.config), ...this.#envSecrets]);
  }

  /** The stored secret values (config and environment), for redaction by value. */
  get secrets(): SecretSet {
    return this.#secrets;
  }

  /** Adds secrets that live outside the config (kept across config changes). */
  alsoRedact(values: string[]): void {
    this.#envSecrets = values;
    this.#secrets = this.#buildSecrets();
  }

  /**
   * Loads the stored config; when KV holds none, `seed` (e.g. from CONFIG_FILE) is stored, or
   * the default is used without being stored.
   */
  static async open(
    kv: Deno.Kv,
    seed?: Config | null,
    warn: IgnoredFieldsWarning = () => {},
  ): Promise<LiveConfig> {
    let stored = await loadConfig(kv);
    if (!stored && seed) {
      await saveConfig(kv, seed, null);
      stored = await loadConfig(kv);
    }
    LiveConfig.#ignored(stored, warn);
    const config = stored?.config ?? defaultConfig();
    return new LiveConfig(kv, await compileChain(config), stored?.versionstamp ?? null, warn);
  }

  /** The compiled chain of the current config. */
  get chain(): Chain {
    return this.#chain;
  }

  /** The current config. */
  get config(): Config {
    return this.#chain.config;
  }

  /** KV versionstamp of the current config (null while the default is in use). */
  get version(): string | null {
    return this.#versionstamp;
  }

  /** Re-reads KV; keeps the current config if the stored one cannot be read. */
  async reload(): Promise<void> {
    const stored = await loadConfig(this.#kv);
    if (!stored || stored.versionstamp === this.#versionstamp) return;
    LiveConfig.#ignored(stored, this.#warn);
    this.#chain = await compileChain(stored.config);
    this.#versionstamp = stored.versionstamp;
    this.#secrets = this.#buildSecrets();
  }

  /** Replaces the config atomically if it is still at `expected`; reloads on success. */
  async replace(config: Config, expected: string | null): Promise<SaveResult> {
    const result = await saveConfig(this.#kv, config, expected);
    if (result.ok) {
      this.#chain = await compileChain(config);
      this.#versionstamp = result.versionstamp;
      this.#secrets = this.#buildSecrets();
    }
    return result;
  }
}
