/**
 * The cooldowns the hot path consults, mirrored in memory: reads never wait on KV. Writes go to
 * memory and KV at once; the mirror re-reads KV in the background at most every `syncMs`, so
 * cooldowns set by other instances arrive within about a second.
 */
import {
  type Cooldown,
  deleteCooldown,
  listCooldowns,
  putCooldown,
} from "../store/cooldown_store.ts";

export class CooldownBoard {
  #kv: Deno.Kv;
  #syncMs: number;
  #entries = new Map<string, Cooldown & { localAt?: number }>();
  #lastSync = 0;
  #syncing: Promise<void> | null = null;
  /**
   * Targets that count as cooling for other reasons (quota-exhausted providers and keys): `get`
   * reports them too, so the planner needs nothing more.
   */
  alsoCooling: { get(target: string, now?: number): Cooldown | undefined } | null = null;

  /** Told when a target starts cooling here (not when a live cooldown is only extended). */
  onStart: ((target: string, cooldown: Cooldown) => void) | null = null;

  constructor(kv: Deno.Kv, syncMs = 1000) {
    this.#kv = kv;
    this.#syncMs = syncMs;
  }

  /** The live cooldown of `target`, if any; kicks off a background refresh when stale. */
  get(target: string, now = Date.now()): Cooldown | undefined {
    if (now - this.#lastSync > this.#syncMs) void this.sync();
    const entry = this.#entries.get(target);
    const live = entry && entry.until > now ? entry : undefined;
    const other = this.alsoCooling?.get(target, now);
    if (!other) return live;
    return live && live.until >= other.until ? live : other;
  }

  /** Every live cooldown (for /health and the admin status). */
  all(now = Date.now()): Map<string, Cooldown> {
    const out = new Map<string, Cooldown>();
    for (const [target, c] of this.#entries) {
      if (c.until > now) out.set(target, { until: c.until, reason: c.reason });
    }
    return out;
  }

  /** Cools `target` down; a longer cooldown already in place is kept. */
  async set(target: string, cooldown: Cooldown): Promise<void> {
    const existing = this.#entries.get(target);
    if (existing && existing.until >= cooldown.until) return;
    const now = Date.now();
    this.#entries.set(target, { ...cooldown, localAt: now });
    if (!existing || existing.until <= now) this.onStart?.(target, cooldown);
    await putCooldown(this.#kv, target, cooldown);
  }

  /** Ends a cooldown everywhere. */
  async clear(target: string): Promise<void> {
    this.#entries.delete(target);
    await deleteCooldown(this.#kv, target);
  }

  /** Re-reads every cooldown from KV (single-flight). */
  sync(): Promise<void> {
    if (this.#syncing) return this.#syncing;
    const started = Date.now();
    this.#lastSync = started;
    this.#syncing = listCooldowns(this.#kv).then((fresh) => {
      // Keep local writes the read may have missed (written while it ran, or just before).
      for (const [target, entry] of this.#entries) {
        if (!fresh.has(target) && entry.localAt && entry.localAt >= started - this.#syncMs) {
          fresh.set(target, entry);
        }
      }
      this.#entries = fresh;
    }).catch(() => {
      // KV unreachable: keep serving from the mirror rather than failing requests.
    }).finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }
}
