/**
 * Collects attempt outcomes in memory and writes them to KV in one batch about once a second:
 * under load that is one KV write per second instead of one per request, and never on the
 * request's path. A batch KV refuses stays in a bounded retry queue (lib/store/kv_batch.ts) and
 * goes with the next flush, shutdown's included.
 */
import { FlushTimer } from "../flush_timer.ts";
import { outcomeOps, type OutcomeRecord } from "./health_store.ts";
import { groupsOf, RetryQueue } from "./kv_batch.ts";

export class OutcomeBuffer {
  #pending: OutcomeRecord[] = [];
  #timer: FlushTimer;
  #flushing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;
  #queue: RetryQueue;

  constructor(kv: Deno.Kv, opts: {
    flushMs?: number;
    onError?: (err: unknown) => void;
    /** Told when the retry queue is full and drops its oldest writes. */
    onDrop?: (groups: number, mutations: number) => void;
    /** Bound of the retry queue, in KV mutations. */
    maxQueued?: number;
  } = {}) {
    this.#queue = new RetryQueue(kv, {
      maxMutations: opts.maxQueued ?? 20_000,
      onDrop: opts.onDrop,
    });
    this.#timer = new FlushTimer(opts.flushMs ?? 1000, () => void this.flush());
    this.#onError = opts.onError ?? (() => {});
  }

  /** Writes waiting for KV, and how many were dropped past the bound. */
  get queued() {
    return this.#queue.state;
  }

  /** Queues outcomes; the first one after a flush schedules the next flush. */
  add(outcomes: OutcomeRecord[]): void {
    if (outcomes.length === 0) return;
    this.#pending.push(...outcomes);
    this.#timer.schedule();
  }

  /** Writes everything queued so far, and retries what KV refused before (also on shutdown). */
  flush(): Promise<void> {
    this.#timer.cancel();
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#queue.add(groupsOf(outcomeOps(batch), 500));
    if (this.#queue.state.groups === 0) return this.#flushing;
    // Writes stay in order: a batch starts after the previous one finished.
    this.#flushing = this.#flushing.then(() => this.#queue.write()).catch((err) => {
      this.#onError(err);
      this.#timer.schedule(); // what failed stays queued: try again
    });
    return this.#flushing;
  }
}
