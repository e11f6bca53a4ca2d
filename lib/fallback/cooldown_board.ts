/**
 * The cooldowns the hot path consults, mirrored in memory: reads never wait on KV. Writes go to
 * memory and KV at once (bumping the cooldowns' version key); other instances re-read when their
 * change feed sees that key move (lib/store/change_feed.ts, wired in lib/boot.ts), so cooldowns
 * arrive within about a second and an idle instance is already current on its first request.
 * As a safety net, a read more than `syncMs` (60 s) after the last re-read also starts one.
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
  /** `writing`: set here and not yet in KV, so a re-read that misses it must keep it. */
  #entries = new Map<string, Cooldown & { localAt?: number; writing?: boolean }>();
  /**
   * Targets cleared here: a re-read that began before the delete reached KV would bring the
   * cooldown back (seen as a flaky fallback right after an admin cleared a cooldown).
   */
  #cleared = new Map<string, { at: number; deleting: boolean }>();
  #lastSync = 0;
  #syncing: Promise<void> | null = null;
  /** A change arrived while a re-read ran: read once more after it, or the change is missed. */
  #again = false;
  /**
   * Targets that count as cooling for other reasons (quota-exhausted providers and keys): `get`
   * reports them too, so the planner needs nothing more.
   */
  alsoCooling: { get(target: string, now?: number): Cooldown | undefined } | null = null;

  /**
   * Told before each KV write here, and again with `false` when it failed (the change feed then
   * skips re-reading this process's own writes: lib/store/change_feed.ts OwnWrites).
   */
  onOwnWrite: ((ok?: false) => void) | null = null;

  /** Told when a target starts cooling here (not when a live cooldown is only extended). */
  onStart: ((target: string, cooldown: Cooldown) => void) | null = null;

  constructor(kv: Deno.Kv, syncMs = 60_000) {
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
    const entry = { ...cooldown, localAt: now, writing: true };
    this.#entries.set(target, entry);
    this.#cleared.delete(target);
    if (!existing || existing.until <= now) this.onStart?.(target, cooldown);
    // putCooldown writes nothing for a cooldown already over: then nothing is noted either.
    const writes = cooldown.until > now + 1;
    if (writes) this.onOwnWrite?.();
    try {
      await putCooldown(this.#kv, target, cooldown);
    } catch (err) {
      if (writes) this.onOwnWrite?.(false);
      throw err;
    } finally {
      entry.writing = false;
    }
  }

  /** Ends a cooldown everywhere. */
  async clear(target: string): Promise<void> {
    this.#entries.delete(target);
    const mark = { at: Date.now(), deleting: true };
    this.#cleared.set(target, mark);
    this.onOwnWrite?.();
    try {
      await deleteCooldown(this.#kv, target);
    } catch (err) {
      this.onOwnWrite?.(false);
      throw err;
    } finally {
      mark.deleting = false;
    }
  }

  /** Re-reads every cooldown from KV (single-flight; a call during a read queues one more). */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    const started = Date.now();
    this.#lastSync = started;
    this.#syncing = listCooldowns(this.#kv).then((fresh) => {
      // Keep local writes the read may have missed (written while it ran, or still in flight).
      for (const [target, entry] of this.#entries) {
        if (!fresh.has(target) && entry.localAt && (entry.writing || entry.localAt >= started)) {
          fresh.set(target, entry);
        }
      }
      // A read that began before a clear reached KV may still hold it; a later read does not.
      for (const [target, mark] of this.#cleared) {
        if (mark.deleting || mark.at >= started) fresh.delete(target);
        else this.#cleared.delete(target);
      }
      this.#entries = fresh;
    }).catch(() => {
      // KV unreachable: keep serving from the mirror rather than failing requests.
    }).finally(() => {
      this.#syncing = null;
      if (this.#again) {
        this.#again = false;
        void this.sync();
      }
    });
    return this.#syncing;
  }
}
