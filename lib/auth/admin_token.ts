/**
 * The admin token: from ADMIN_TOKEN, or generated once, printed once, and kept as a hash. On Deno
 * Deploy nothing is generated (its logs are no place for a secret): without ADMIN_TOKEN there is
 * no admin token, and the admin login and API say what to set.
 */
import { randomToken, sha256Hex, timingSafeEqual } from "../crypto.ts";
import { getAdminTokenHash, initAdminTokenHash } from "../store/admin_token_store.ts";

export class AdminToken {
  #hash: string;
  /** Why no token can log in (ADMIN_TOKEN unset on Deploy), or null when one can. */
  readonly missing: string | null;

  private constructor(hash: string, missing: string | null = null) {
    this.#hash = hash;
    this.missing = missing;
  }

  /** No admin token at all: every check fails, and `missing` says what to set. */
  static unset(missing: string): AdminToken {
    // A random "hash" no token hashes to, so sessions cannot be signed with a guessable key.
    const hash = Array.from(
      crypto.getRandomValues(new Uint8Array(32)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    return new AdminToken(hash, missing);
  }

  /**
   * Uses `envToken` when set; otherwise the stored hash, or a new token whose value is passed
   * to `announce` exactly once (it is never stored or shown again).
   */
  static async init(
    kv: Deno.Kv,
    envToken: string | undefined,
    announce: (token: string) => void,
  ): Promise<AdminToken> {
    if (envToken) return new AdminToken(await sha256Hex(envToken));
    const stored = await getAdminTokenHash(kv);
    if (stored) return new AdminToken(stored);
    const token = randomToken("dta_");
    const winner = await initAdminTokenHash(kv, await sha256Hex(token));
    if (winner === (await sha256Hex(token))) announce(token);
    return new AdminToken(winner);
  }

  /**
   * SHA-256 of the admin token. Admin sessions are signed with a key derived from it, so a new
   * ADMIN_TOKEN (or `deno task reset-admin-token`) ends every session.
   */
  get fingerprint(): string {
    return this.#hash;
  }

  /** Checks a presented token in constant time (hashes have equal length). */
  async verify(presented: string | null | undefined): Promise<boolean> {
    if (!presented || this.missing !== null) return false;
    return timingSafeEqual(await sha256Hex(presented), this.#hash);
  }
}
