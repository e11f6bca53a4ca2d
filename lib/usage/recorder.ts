/**
 * Collects finished requests (usage, quota sums, request-log entries) in memory and writes them
 * to KV in one batch about once a second, like the outcome buffer: never on a request's path.
 * Now and then it also trims the request log to its size and sweeps old usage sums.
 */
import type { Config } from "../config/schema.ts";
import {
  capRequestLog,
  type CapturedBodies,
  type RequestLogEntry,
  sweepUsage,
  type TimelineEvent,
  type TrafficDelta,
  type UsageDelta,
  writeUsageBatch,
} from "../store/usage_store.ts";
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
  #lastCap = 0;
  #lastSweep = 0;
  /** How often the log is trimmed to `requestLog.maxEntries` and usage sums swept. */
  capEveryMs = 60_000;
  sweepEveryMs = 3_600_000;

  constructor(
    kv: Deno.Kv,
    config: () => Config,
    quotas: QuotaBoard,
    opts: { flushMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    this.#kv = kv;
    this.#config = config;
    this.#quotas = quotas;
    this.#timer = new FlushTimer(opts.flushMs ?? 1000, () => void this.flush());
    this.#onError = opts.onError ?? (() => {});
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

  /** Writes everything queued so far (also called on shutdown). */
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
    if (queued === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      await writeUsageBatch(this.#kv, batch);
      this.#quotas.written(batch.quota);
      const now = Date.now();
      if (batch.log.length > 0 && now - this.#lastCap >= this.capEveryMs) {
        this.#lastCap = now;
        await capRequestLog(this.#kv, this.#config().requestLog.maxEntries);
      }
      if (now - this.#lastSweep >= this.sweepEveryMs) {
        this.#lastSweep = now;
        // Quota periods follow the quota clock (a test may set it).
        await sweepUsage(this.#kv, now, this.#quotas.clock());
      }
    }).catch(this.#onError);
    return this.#flushing;
  }
}
