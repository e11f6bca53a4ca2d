/**
 * Circuit breakers per provider, mirrored in memory like the cooldown board: the hot path
 * (`admit`) never waits on KV. Outcomes arrive after the response (`observe`); a change is
 * written to KV in the background (bumping the circuits' version key), and other instances
 * re-read when their change feed sees it move (lib/store/change_feed.ts), the newest `updatedAt`
 * winning, so every instance converges within about a second. As a safety net, a read more than
 * `syncMs` (60 s) after the last re-read also starts one.
 *
 * closed --(degradedAfter failures)--> degraded --(openAfter)--> open
 * open --(its cooldown passes; one request admitted as the probe)--> half_open
 * half_open --success--> closed;  half_open --failure--> open (a new cooldown)
 * Any success closes the circuit and resets the count.
 */
import { FlushTimer } from "../flush_timer.ts";
import type { Config } from "../config/schema.ts";
import type { StreamEnd } from "../http/sse_guard.ts";
import {
  type Circuit,
  type CircuitState,
  listCircuits,
  putCircuits,
} from "../store/circuit_store.ts";
import { withKvTimeout } from "../store/kv_timeout.ts";
import type { AttemptRecord } from "./engine.ts";

export type { Circuit, CircuitState };

/** How planning treats a provider right now. */
export type Admission = "healthy" | "degraded" | "open" | "probe";

/** One state change, for logs and the webhook. */
export interface CircuitTransition {
  provider: string;
  from: CircuitState;
  to: CircuitState;
  failures: number;
}

const CLOSED: Circuit = {
  state: "closed",
  failures: 0,
  openedAt: null,
  probeAfter: null,
  updatedAt: 0,
};

/**
 * Whether an attempt says the provider works (true), fails (false) or nothing about it (null):
 * a client that hung up, Detour shutting down, or a refused / rate-limited credential (one key's or one client's
 * problem, not the provider's: a client with a bad key must not open the circuit for everyone).
 */
export function attemptSignal(r: AttemptRecord): boolean | null {
  if (r.outcome === "ok" || r.outcome === "final") return true;
  if (r.outcome === "client_closed" || r.outcome === "auth" || r.outcome === "shutdown") {
    return null;
  }
  if (r.status === 401 || r.status === 403 || r.status === 429) return null;
  return false;
}

export class CircuitBoard {
  #kv: Deno.Kv;
  #config: () => Config;
  #syncMs: number;
  #now: () => number;
  #onTransition: (t: CircuitTransition) => void;
  #entries = new Map<string, Circuit>();
  #lastSync = 0;
  #syncing: Promise<void> | null = null;
  /** A change arrived while a re-read ran: read once more after it. */
  #again = false;
  /** Providers whose state changed since the last write. */
  #dirty = new Set<string>();
  #timer: FlushTimer;
  #writing: Promise<void> = Promise.resolve();

  constructor(kv: Deno.Kv, opts: {
    config: () => Config;
    onTransition?: (t: CircuitTransition) => void;
    syncMs?: number;
    /** A failure count that changed without a transition is written within this delay. */
    writeMs?: number;
    now?: () => number;
  }) {
    this.#kv = kv;
    this.#config = opts.config;
    this.#syncMs = opts.syncMs ?? 60_000;
    this.#timer = new FlushTimer(opts.writeMs ?? 250, () => void this.flush());
    this.#now = opts.now ?? Date.now;
    this.#onTransition = opts.onTransition ?? (() => {});
  }

  /**
   * Hot path: how to plan `providerId`. An open circuit whose cooldown has passed admits exactly
   * one request as its half-open probe; the probe's lease lasts another cooldown, so a probe
   * that is never sent (an earlier provider answered) or never reports does not wedge it.
   */
  admit(providerId: string, now = this.#now()): Admission {
    if (now - this.#lastSync > this.#syncMs) void this.sync();
    const c = this.#entries.get(providerId);
    if (!c || !this.#config().circuitBreaker.enabled) return "healthy";
    if (c.state === "closed") return "healthy";
    if (c.state === "degraded") return "degraded";
    if (c.probeAfter !== null && now < c.probeAfter) return "open";
    this.#change(providerId, c, {
      ...c,
      state: "half_open",
      probeAfter: now + this.#openMs(providerId),
      updatedAt: now,
    });
    return "probe";
  }

  /** The breaker of `providerId` (closed when none is stored). */
  get(providerId: string): Circuit {
    return this.#entries.get(providerId) ?? CLOSED;
  }

  /** Every provider whose circuit is not plainly closed (for /health and the admin status). */
  all(): Map<string, Circuit> {
    const out = new Map<string, Circuit>();
    for (const [id, c] of this.#entries) {
      if (c.state !== "closed" || c.failures > 0) out.set(id, c);
    }
    return out;
  }

  /** Feeds one request's attempts (after its response went out); a broken stream is a failure. */
  observe(records: AttemptRecord[], end: StreamEnd, now = this.#now()): void {
    if (!this.#config().circuitBreaker.enabled) return;
    records.forEach((r, i) => {
      let signal = attemptSignal(r);
      if (signal === true && end === "broken" && i === records.length - 1) signal = false;
      if (signal !== null) this.record(r.provider, signal, now);
    });
  }

  /** One success or failure of `providerId`. */
  record(providerId: string, ok: boolean, now = this.#now()): void {
    const c = this.#entries.get(providerId) ?? CLOSED;
    if (ok) {
      if (c.state === "closed" && c.failures === 0) return; // the common case: nothing to write
      this.#change(providerId, c, { ...CLOSED, updatedAt: now });
      return;
    }
    const { degradedAfter, openAfter } = this.#config().circuitBreaker;
    const failures = c.failures + 1;
    const reopen = c.state === "open" || c.state === "half_open";
    const state: CircuitState = reopen || failures >= openAfter
      ? "open"
      : failures >= degradedAfter
      ? "degraded"
      : "closed";
    const opening = state === "open" && (c.state !== "open" || c.openedAt === null);
    this.#change(providerId, c, {
      state,
      failures,
      openedAt: opening ? now : c.openedAt,
      probeAfter: opening ? now + this.#openMs(providerId) : c.probeAfter,
      updatedAt: now,
    });
  }

  /** Re-reads every breaker from KV (single-flight, a call meanwhile queues one more). */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    this.#lastSync = this.#now();
    this.#syncing = listCircuits(this.#kv).then((fresh) => {
      for (const [id, c] of fresh) {
        const mine = this.#entries.get(id);
        if (!mine || c.updatedAt > mine.updatedAt) this.#entries.set(id, c);
      }
    }).catch(() => {
      // KV unreachable: keep serving from the mirror.
    }).finally(() => {
      this.#syncing = null;
      if (this.#again) {
        this.#again = false;
        void this.sync();
      }
    });
    return this.#syncing;
  }

  /**
   * Writes every changed breaker now, in one atomic op (also on shutdown); writes stay in order.
   * A failed write is retried with the next flush: its providers stay dirty (one record each,
   * so this cannot grow beyond the number of providers).
   */
  flush(): Promise<void> {
    this.#timer.cancel();
    const batch = [...this.#dirty].map((id) => [id, this.#entries.get(id)!] as const);
    this.#dirty.clear();
    if (batch.length > 0) {
      this.#writing = this.#writing
        .then(() => withKvTimeout(putCircuits(this.#kv, batch), 5000, "a circuit write"))
        .catch(() => {
          // KV unreachable: the mirror still holds the state; write it again later.
          for (const [id] of batch) this.#dirty.add(id);
          this.#timer.schedule();
        });
    }
    return this.#writing;
  }

  #openMs(providerId: string): number {
    const config = this.#config();
    const p = config.providers.find((x) => x.id === providerId);
    const seconds = config.circuitBreaker.openSeconds ?? p?.cooldownSeconds ??
      config.cooldownSeconds;
    return Math.max(1, seconds) * 1000;
  }

  #change(providerId: string, from: Circuit, to: Circuit): void {
    this.#entries.set(providerId, to);
    this.#dirty.add(providerId);
    if (from.state === to.state) {
      // A failure storm costs one KV write per provider per `writeMs`, not one per request.
      this.#timer.schedule();
    } else {
      // Transitions go out at once, so other instances learn of an opening (or a probe) soon.
      void this.flush();
      this.#onTransition({
        provider: providerId,
        from: from.state,
        to: to.state,
        failures: to.failures,
      });
    }
  }
}
