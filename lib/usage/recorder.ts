/**
 * Collects finished requests (usage, quota sums, request-log entries) in memory and writes them
 * to KV in one batch about once a second, like the outcome buffer: never on a request's path.
 * A batch KV refuses waits in a bounded retry queue (lib/store/kv_batch.ts) and goes with the
 * next flush, shutdown's included. The request log is held to its size on every write
 * (lib/store/request_log_ring.ts); now and then old usage sums are swept.
 */
import type { Config } from "../config/schema.ts";
import {
  type CapturedBodies,
  type RequestLogEntry,
  sweepUsage,
  type TimelineEvent,
  type TrafficDelta,
  type UsageDelta,
  usageSumOps,
} from "../store/usage_store.ts";
import { groupsOf, type KvGroup, RetryQueue } from "../store/kv_batch.ts";
import { writeLogChunk } from "../store/request_log_ring.ts";
import { pageRuns } from "../store/request_log_pages.ts";
import type { QuotaBoard } from "./quota_board.ts";
import { FlushTimer } from "../flush_timer.ts";

type QuotaSum = { target: string; period: string; start: number; tokens: number };

export class UsageRecorder {
  #kv: Deno.Kv;
  #config: () => Config;
  #quotas: QuotaBoard;
  #onError: (err: unknown) => void;
  #usage: UsageDelta[] = [];
  #quota: QuotaSum[] = [];
  #log: { entry: RequestLogEntry; bodies?: CapturedBodies }[] = [];
  #traffic: TrafficDelta[] = [];
  #events: TimelineEvent[] = [];
  #timer: FlushTimer;
  #flushing: Promise<void> = Promise.resolve();
  #queue: RetryQueue;
  #lastSweep = 0;
  /**
   * Kept for callers that set it: the log is now held to `requestLog.maxEntries` on every write,
   * so this no longer matters.
   */
  capEveryMs = 60_000;
  /** How often old usage sums are swept. */
  sweepEveryMs = 3_600_000;

  constructor(
    kv: Deno.Kv,
    config: () => Config,
    quotas: QuotaBoard,
    opts: {
      flushMs?: number;
      onError?: (err: unknown) => void;
      /** Told when the retry queue is full and drops its oldest writes. */
      onDrop?: (groups: number, mutations: number) => void;
      /** Bound of the retry queue, in KV mutations (default 100,000: a few MB). */
      maxQueued?: number;
    } = {},
  ) {
    this.#kv = kv;
    this.#config = config;
    this.#quotas = quotas;
    this.#timer = new FlushTimer(opts.flushMs ?? 1000, () => void this.flush());
    this.#onError = opts.onError ?? (() => {});
    this.#queue = new RetryQueue(kv, { maxMutations: opts.maxQueued, onDrop: opts.onDrop });
  }

  /** Writes waiting for KV, and how many were dropped past the bound. */
  get queued() {
    return this.#queue.state;
  }

  /** Queues one finished request; its tokens count against quotas at once. */
  add(rec: {
    usage: UsageDelta | null;
    quotaTargets: string[];
    entry: RequestLogEntry | null;
    bodies?: CapturedBodies;
    traffic?: TrafficDelta | null;
  }): void {
    if (rec.traffic) this.#traffic.push(rec.traffic);
    if (rec.usage) {
      this.#usage.push(rec.usage);
      const c = rec.usage.counts;
      this.#quota.push(
        ...this.#quotas.add(rec.quotaTargets, c.input + c.output + c.cache_read + c.cache_write),
      );
    }
    if (rec.entry && this.#config().requestLog.maxEntries > 0) {
      this.#log.push(rec.bodies ? { entry: rec.entry, bodies: rec.bodies } : { entry: rec.entry });
    }
    this.#timer.schedule();
  }

  /** Queues a cooldown or circuit event for the dashboard's timeline. */
  event(e: TimelineEvent): void {
    this.#events.push(e);
    this.#timer.schedule();
  }

  /** A batch as atomic groups: sums and events marked once, log entries through the ring. */
  #groups(batch: {
    usage: UsageDelta[];
    quota: QuotaSum[];
    log: { entry: RequestLogEntry; bodies?: CapturedBodies }[];
    traffic: TrafficDelta[];
    events: TimelineEvent[];
  }): KvGroup[] {
    const sums = usageSumOps(batch);
    const chunks = pageRuns(batch.log);
    // Sums that fit go in the first log chunk's op (one commit per flush, guarded by its entry
    // check); more get their own marked groups.
    const ride = chunks.length > 0 && sums.length <= 100 ? sums : [];
    const groups: KvGroup[] = ride.length > 0 ? [] : groupsOf(sums);
    const sumGroups = groups.length;
    const max = () => this.#config().requestLog.maxEntries;
    chunks.forEach((items, i) => {
      const extra = i === 0 ? ride : [];
      groups.push({
        // The page, the sequence and the chunk's marker, each entry's bodies, and the sums.
        mutations: 3 + items.filter((x) => x.bodies).length + extra.length,
        write: (kv, timeoutMs) => writeLogChunk(kv, items, Math.max(1, max()), timeoutMs, extra),
      });
    });
    const withSums = ride.length > 0 ? groups[0] : groups[sumGroups - 1];
    if (withSums && batch.quota.length > 0) {
      // The batch's tokens move from pending to the mirrored sums once they landed.
      withSums.onWritten = () => this.#quotas.written(batch.quota);
    }
    return groups;
  }

  /** Writes everything queued so far, and retries what KV refused before (also on shutdown). */
  flush(): Promise<void> {
    this.#timer.cancel();
    const batch = {
      usage: this.#usage,
      quota: this.#quota,
      log: this.#log,
      traffic: this.#traffic,
      events: this.#events,
    };
    this.#usage = [];
    this.#quota = [];
    this.#log = [];
    this.#traffic = [];
    this.#events = [];
    const queued = batch.usage.length + batch.quota.length + batch.log.length +
      batch.traffic.length + batch.events.length;
    if (queued > 0) this.#queue.add(this.#groups(batch));
    if (this.#queue.state.groups === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      await this.#queue.write();
      const now = Date.now();
      if (now - this.#lastSweep >= this.sweepEveryMs) {
        this.#lastSweep = now;
        // Quota periods follow the quota clock (a test may set it).
        await sweepUsage(this.#kv, now, this.#quotas.clock());
      }
    }).catch((err) => {
      this.#onError(err);
      // What failed stays queued: try again with the next flush.
      this.#timer.schedule();
    });
    return this.#flushing;
  }
}
