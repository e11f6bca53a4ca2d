/**
 * Collects attempt outcomes in memory and writes them to KV in one batch about once a second:
 * under load that is one KV write per second instead of one per request, and never on the
 * request's path.
 */
import { type OutcomeRecord, recordOutcomes } from "./health_store.ts";

export class OutcomeBuffer {
  #kv: Deno.Kv;
  #flushMs: number;
  #pending: OutcomeRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  constructor(kv: Deno.Kv, opts: { flushMs?: number; onError?: (err: unknown) => void } = {}) {
    this.#kv = kv;
    this.#flushMs = opts.flushMs ?? 1000;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Queues outcomes; the first one after a flush schedules the next flush. */
  add(outcomes: OutcomeRecord[]): void {
    if (outcomes.length === 0) return;
    this.#pending.push(...outcomes);
    if (this.#timer === null) {
      const timer = setTimeout(() => void this.flush(), this.#flushMs);
      // A pending flush must not keep a finished process alive.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Writes everything queued so far (also called on shutdown). */
  flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#flushing;
    // Writes stay in order: a batch starts after the previous one finished.
    this.#flushing = this.#flushing.then(() => recordOutcomes(this.#kv, batch)).catch(
      this.#onError,
    );
    return this.#flushing;
  }
}
