/** The access keys a request may present, held in memory as hashes for the hot path. */
import { cachedSha256Hex, sha256Hex } from "../crypto.ts";
import { listAccessKeys } from "../store/access_key_store.ts";

/** Who an access key belongs to: its label (env keys are labelled `env#n`). */
export interface AccessKeyOwner {
  id: string;
  label: string;
}

export class AccessKeyIndex {
  #byHash = new Map<string, AccessKeyOwner>();
  #envHashes: Map<string, AccessKeyOwner>;

  private constructor(envHashes: Map<string, AccessKeyOwner>) {
    this.#envHashes = envHashes;
  }

  /** Builds the index from the `ACCESS_KEYS` values; call `reload` to add the stored ones. */
  static async fromEnv(envKeys: string[]): Promise<AccessKeyIndex> {
    const hashes = new Map<string, AccessKeyOwner>();
    for (const [i, key] of envKeys.entries()) {
      hashes.set(await sha256Hex(key), { id: `env-${i + 1}`, label: `env#${i + 1}` });
    }
    return new AccessKeyIndex(hashes);
  }

  /** Re-reads the stored access keys. */
  async reload(kv: Deno.Kv): Promise<void> {
    const next = new Map(this.#envHashes);
    for (const record of await listAccessKeys(kv)) {
      next.set(record.hash, { id: record.id, label: record.label });
    }
    this.#byHash = next;
  }

  /** True when no access key exists at all (then only loopback clients may spend stored keys). */
  get empty(): boolean {
    return this.#byHash.size === 0;
  }

  /**
   * The owner of `key`, if it is an access key. Lookup is by SHA-256, so timing reveals at most
   * a hash prefix, never the key.
   */
  async lookup(key: string): Promise<AccessKeyOwner | null> {
    if (this.#byHash.size === 0) return null;
    return this.#byHash.get(await cachedSha256Hex(key)) ?? null;
  }
}
