/** The admin token: from ADMIN_TOKEN, or generated once, printed once, and kept as a hash. */
import { randomToken, sha256Hex, timingSafeEqual } from "../crypto.ts";
import { getAdminTokenHash, initAdminTokenHash } from "../store/admin_token_store.ts";

export class AdminToken {
  #hash: string;

  private constructor(hash: string) {
    this.#hash = hash;
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
    if (!presented) return false;
    return timingSafeEqual(await sha256Hex(presented), this.#hash);
  }
}
