/**
 * Collects attempt outcomes in memory and writes them to KV in one batch about once a second:
 * under load that is one KV write per second instead of one per request, and never on the
 * request's path.
 */
import { FlushTimer } from "../flush_timer.ts";
import { type OutcomeRecord, recordOutcomes } from "./health_store.ts";

export class OutcomeBuffer {
  #kv: Deno.Kv;
  #pending: OutcomeRecord[] = [];
  #timer: FlushTimer;
  #flushing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  constructor(kv: Deno.Kv, opts: { flushMs?: number; onError?: (err: unknown) => void } = {}) {
    this.#kv = kv;
    this.#timer = new FlushTimer(opts.flushMs ?? 1000, () => void this.flush());
    this.#onError = opts.onError ?? (() => {});
  }

  /** Queues outcomes; the first one after a flush schedules the next flush. */
  add(outcomes: OutcomeRecord[]): void {
    if (outcomes.length === 0) return;
    this.#pending.push(...outcomes);
    this.#timer.schedule();
  }

  /** Writes everything queued so far (also called on shutdown). */
  flush(): Promise<void> {
    this.#timer.cancel();
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
