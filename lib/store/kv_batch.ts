/**
 * Batched KV writes that are retried, not dropped, when KV fails (disk full, database locked, a
 * call that hangs), and that land at most once.
 *
 * A batch is cut into groups, each one atomic op. Sums are not idempotent, so each group carries
 * a mark key, checked absent and set in the same op: a group whose commit timed out but went
 * through is skipped when retried, not counted twice. Groups wait in a queue bounded by their
 * mutation count (`maxMutations`); past it the oldest groups are dropped, counted (`dropped`)
 * and reported (`onDrop`), so memory cannot grow without limit while KV is down.
 */
import { KV } from "./keys.ts";
import { withKvTimeout } from "./kv_timeout.ts";

/** One atomic write, safe to retry (it lands at most once). */
export interface KvGroup {
  /** Its size, for the queue's bound. */
  mutations: number;
  write(kv: Deno.Kv, timeoutMs: number): Promise<void>;
  /** Called once the group is in KV (or found already there). */
  onWritten?: () => void;
}

/** A mutation to put in a group. */
export type Mutation = (op: Deno.AtomicOperation) => void;

/** Marks outlive any retry: a queue holds a group at most this long in practice. */
const MARK_TTL_MS = 86_400_000;

/** Cuts `mutations` into groups of at most `size` (Deno KV caps one atomic op at 1000). */
export function groupsOf(mutations: Mutation[], size = 100): KvGroup[] {
  const out: KvGroup[] = [];
  for (let i = 0; i < mutations.length; i += size) {
    const slice = mutations.slice(i, i + size);
    const id = crypto.randomUUID();
    out.push({
      mutations: slice.length,
      write: (kv, timeoutMs) => commitMarked(kv, id, slice, timeoutMs),
    });
  }
  return out;
}

/** Commits mutations once under mark `id`: a failed mark check means they already landed. */
async function commitMarked(
  kv: Deno.Kv,
  id: string,
  mutations: Mutation[],
  timeoutMs: number,
): Promise<void> {
  const mark = KV.batchMark(id);
  const op = kv.atomic().check({ key: mark, versionstamp: null });
  for (const m of mutations) m(op);
  op.set(mark, 1, { expireIn: MARK_TTL_MS });
  await withKvTimeout(op.commit(), timeoutMs, "a batched write");
}

/** What a queue reports about itself (for logs and tests). */
export interface QueueState {
  /** Groups waiting for KV. */
  groups: number;
  mutations: number;
  /** Mutations dropped past the bound since start. */
  dropped: number;
}

export class RetryQueue {
  #kv: Deno.Kv;
  #queue: KvGroup[] = [];
  #mutations = 0;
  #dropped = 0;
  #maxMutations: number;
  #timeoutMs: number;
  #onDrop: (groups: number, mutations: number) => void;
  #writing: Promise<void> = Promise.resolve();

  constructor(kv: Deno.Kv, opts: {
    maxMutations?: number;
    timeoutMs?: number;
    onDrop?: (groups: number, mutations: number) => void;
  } = {}) {
    this.#kv = kv;
    this.#maxMutations = opts.maxMutations ?? 100_000;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#onDrop = opts.onDrop ?? (() => {});
  }

  /** Queues groups behind those already waiting; past the bound the oldest go. */
  add(groups: KvGroup[]): void {
    for (const g of groups) {
      this.#queue.push(g);
      this.#mutations += g.mutations;
    }
    let groupsOut = 0, mutationsOut = 0;
    while (this.#mutations > this.#maxMutations && this.#queue.length > 1) {
      const old = this.#queue.shift()!;
      this.#mutations -= old.mutations;
      groupsOut++;
      mutationsOut += old.mutations;
    }
    if (groupsOut > 0) {
      this.#dropped += mutationsOut;
      this.#onDrop(groupsOut, mutationsOut);
    }
  }

  /** How much waits, and how much was dropped. */
  get state(): QueueState {
    return { groups: this.#queue.length, mutations: this.#mutations, dropped: this.#dropped };
  }

  /**
   * Writes the queued groups in order (one write at a time); stops at the first failure, which
   * stays queued with everything after it, and rejects with it.
   */
  write(): Promise<void> {
    this.#writing = this.#writing.catch(() => {}).then(() => this.#writeAll());
    return this.#writing;
  }

  async #writeAll(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue[0];
      try {
        await group.write(this.#kv, this.#timeoutMs);
      } catch (err) {
        if (!refusedForGood(err)) throw err;
        // A group KV will never take (a value too large): retrying it would block the queue.
        this.#remove(group);
        this.#dropped += group.mutations;
        this.#onDrop(1, group.mutations);
        continue;
      }
      this.#remove(group);
      group.onWritten?.();
    }
  }

  /** Takes a written (or refused) group off the queue, unless the bound dropped it meanwhile. */
  #remove(group: KvGroup): void {
    if (this.#queue[0] !== group) return;
    this.#queue.shift();
    this.#mutations -= group.mutations;
  }
}

/**
 * Whether KV refused the write itself, not for want of a working database: Deno KV throws a
 * TypeError for a value, key or atomic op over its limits, which no retry will change.
 */
function refusedForGood(err: unknown): boolean {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  return cause instanceof TypeError || cause instanceof RangeError;
}
