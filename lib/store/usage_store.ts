/**
 * Usage counters, quota sums and the request log's entries in KV (the log's storage:
 * lib/store/request_log_pages.ts). Everything here is written in batches
 * after responses went out (lib/usage/recorder.ts), never on a request's path.
 */
import { LATENCY_BOUNDS_MS, latencyBucket } from "../usage/latency.ts";
import { KV } from "./keys.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Request-log entries and their debug bodies expire after this. */
export const REQUEST_LOG_TTL_MS = 7 * DAY;

/** Token fields counted per hour and day. */
export const USAGE_FIELDS = ["requests", "input", "output", "cache_read", "cache_write"] as const;
export type UsageField = typeof USAGE_FIELDS[number];
export type UsageCounts = Record<UsageField, number>;

/** One request's contribution to the counters. */
export interface UsageDelta {
  at: number;
  provider: string;
  keyLabel: string | null;
  model: string;
  counts: UsageCounts;
}

/** One attempt as the request log keeps it. */
export interface LoggedAttempt {
  provider: string;
  status: number | null;
  outcome: string;
  ms: number;
  error?: string;
}

/** One request-log entry: no body, no credential. */
export interface RequestLogEntry {
  id: string;
  requestId: string;
  time: string;
  endpoint: string;
  accessKey: string | null;
  model: string;
  modelServed: string | null;
  servedBy: string | null;
  key: string | null;
  stream: boolean;
  status: number;
  end: string;
  attempts: LoggedAttempt[];
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  ttfbMs: number;
  ms: number;
  hasBodies?: boolean;
}

/**
 * One answered request for the dashboard: whether it fell back or failed, and how long the
 * serving provider took to its first byte (its attempt's time).
 */
export interface TrafficDelta {
  at: number;
  fellBack: boolean;
  error: boolean;
  served: { provider: string; ms: number } | null;
}

/** A cooldown or circuit change, for the dashboard's timeline. */
export interface TimelineEvent {
  id: string;
  time: string;
  kind: "cooldown" | "circuit";
  provider: string;
  /** The key label for a key's cooldown. */
  subject: string | null;
  /** `open`, `degraded`, `half_open` or `closed`; for a cooldown its reason. */
  detail: string;
  /** A cooldown's end. */
  until?: string;
}

/** Truncated, redacted bodies stored while debug capture is on. */
export interface CapturedBodies {
  request: string;
  response: string | null;
}

let lastAt = 0;
let seq = 0;

/**
 * Time-ordered id: 13-digit ms time, a per-instance sequence (so two entries of the same
 * millisecond keep their order) and a random suffix (so instances never collide).
 */
export function logId(at: number): string {
  seq = at === lastAt ? seq + 1 : 0;
  lastAt = at;
  const rand = crypto.getRandomValues(new Uint8Array(4));
  return `${String(at).padStart(13, "0")}-${seq.toString(36).padStart(4, "0")}-${
    [...rand].map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

const dims = (d: UsageDelta) =>
  [["p", d.provider], ["m", d.model], ...(d.keyLabel ? [["k", d.keyLabel]] : [])] as [
    "p" | "k" | "m",
    string,
  ][];

/** The sums one flush writes: usage, quota sums, dashboard traffic and events. */
export interface UsageBatch {
  usage: UsageDelta[];
  quota: { target: string; period: string; start: number; tokens: number }[];
  traffic?: TrafficDelta[];
  events?: TimelineEvent[];
}

/** The mutations of a batch's sums (usage per hour and day, quotas) and timeline events. */
export function usageSumOps(batch: UsageBatch): ((op: Deno.AtomicOperation) => void)[] {
  const sums = new Map<string, { key: Deno.KvKey; n: bigint }>();
  const add = (key: Deno.KvKey, n: number) => {
    if (n <= 0) return;
    const id = JSON.stringify(key);
    const s = sums.get(id) ?? { key, n: 0n };
    s.n += BigInt(Math.round(n));
    sums.set(id, s);
  };
  for (const d of batch.usage) {
    const hour = Math.floor(d.at / HOUR) * HOUR;
    const day = Math.floor(d.at / DAY) * DAY;
    for (const [dim, name] of dims(d)) {
      for (const field of USAGE_FIELDS) {
        add(KV.usage("h", hour, dim, name, field), d.counts[field]);
        add(KV.usage("d", day, dim, name, field), d.counts[field]);
      }
    }
  }
  for (const t of batch.traffic ?? []) {
    const hour = Math.floor(t.at / HOUR) * HOUR;
    const day = Math.floor(t.at / DAY) * DAY;
    for (const [span, bucket] of [["h", hour], ["d", day]] as const) {
      add(KV.usage(span, bucket, "a", "all", "requests"), 1);
      if (t.fellBack) add(KV.usage(span, bucket, "a", "all", "fallbacks"), 1);
      if (t.error) add(KV.usage(span, bucket, "a", "all", "errors"), 1);
    }
    // Hourly only: percentiles per day would be read from the hours anyway.
    if (t.served) {
      add(KV.usage("h", hour, "p", t.served.provider, `lat:${latencyBucket(t.served.ms)}`), 1);
    }
  }
  for (const q of batch.quota) add(KV.quota(q.target, q.period, q.start), q.tokens);
  return [
    ...[...sums.values()].map((s) => (op: Deno.AtomicOperation) => op.sum(s.key, s.n)),
    ...(batch.events ?? []).map((e) => (op: Deno.AtomicOperation) =>
      op.set(KV.event(e.id), e, { expireIn: REQUEST_LOG_TTL_MS })
    ),
  ];
}

/**
 * Sums usage per hour and day and quota tokens per period, in plain atomic groups (seeding and
 * tools; the recorder writes through a retry queue, and its log entries through the log's ring).
 */
export async function writeUsageBatch(kv: Deno.Kv, batch: UsageBatch): Promise<void> {
  const ops = usageSumOps(batch);
  // Deno KV caps an atomic operation's mutations and size; small groups stay well inside.
  for (let i = 0; i < ops.length; i += 100) {
    const op = kv.atomic();
    for (const f of ops.slice(i, i + 100)) f(op);
    await op.commit();
  }
}

/** Quota sums of the given periods: `target|period|start` -> tokens. */
export async function readQuotaSums(
  kv: Deno.Kv,
  keys: { target: string; period: string; start: number }[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 10) {
    const slice = keys.slice(i, i + 10);
    const got = await kv.getMany<Deno.KvU64[]>(
      slice.map((k) => KV.quota(k.target, k.period, k.start)),
      { consistency: "eventual" },
    );
    got.forEach((g, j) => {
      const k = slice[j];
      out.set(`${k.target}|${k.period}|${k.start}`, g.value ? Number(g.value.value) : 0);
    });
  }
  return out;
}

/** Counts per name of one dimension in one bucket: name -> counts. */
export async function readUsageBucket(
  kv: Deno.Kv,
  span: "h" | "d",
  bucket: number,
): Promise<Map<string, UsageCounts>> {
  const out = new Map<string, UsageCounts>();
  for await (
    const e of kv.list<Deno.KvU64>({ prefix: KV.usageBucket(span, bucket) }, {
      consistency: "eventual",
    })
  ) {
    const [, , , dim, name, field] = e.key as [string, string, number, string, string, UsageField];
    // Latency histograms and the all-requests row are the dashboard's (readSeriesBucket).
    if (dim === "a" || !USAGE_FIELDS.includes(field)) continue;
    const id = `${dim}:${name}`;
    const c = out.get(id) ??
      { requests: 0, input: 0, output: 0, cache_read: 0, cache_write: 0 };
    c[field] = Number(e.value.value);
    out.set(id, c);
  }
  return out;
}

/** Deletes usage sums older than the retention (hours: 8 days, days: 400 days) and old quotas. */
export async function sweepUsage(kv: Deno.Kv, now: number, quotaNow = now): Promise<void> {
  const stale: Deno.KvKey[] = [];
  for (const [span, keep] of [["h", 8 * DAY], ["d", 400 * DAY]] as const) {
    for await (
      const e of kv.list({ start: KV.usageSpan(span), end: KV.usageBucket(span, now - keep) })
    ) stale.push(e.key);
  }
  for await (const e of kv.list({ prefix: KV.quotaPrefix() })) {
    // Any period ended at least 32 days after it started.
    if (Number(e.key[3]) < quotaNow - 40 * DAY) stale.push(e.key);
  }
  for (let i = 0; i < stale.length; i += 100) {
    const op = kv.atomic();
    for (const key of stale.slice(i, i + 100)) op.delete(key);
    await op.commit();
  }
}

/** One hour of dashboard data: per provider its counts and latency histogram; all requests. */
export interface SeriesBucket {
  providers: Map<string, { counts: UsageCounts; latency: number[] }>;
  all: { requests: number; fallbacks: number; errors: number };
}

/** Reads one hourly bucket's provider rows and all-requests row (two prefix lists). */
export async function readSeriesBucket(kv: Deno.Kv, hour: number): Promise<SeriesBucket> {
  const out: SeriesBucket = {
    providers: new Map(),
    all: { requests: 0, fallbacks: 0, errors: 0 },
  };
  const opts = { consistency: "eventual" as const };
  const [providers, all] = await Promise.all([
    Array.fromAsync(kv.list<Deno.KvU64>({ prefix: KV.usageDim("h", hour, "p") }, opts)),
    Array.fromAsync(kv.list<Deno.KvU64>({ prefix: KV.usageDim("h", hour, "a") }, opts)),
  ]);
  for (const e of providers) {
    const [, , , , name, field] = e.key as string[];
    const row = out.providers.get(name) ?? {
      counts: { requests: 0, input: 0, output: 0, cache_read: 0, cache_write: 0 },
      latency: new Array(LATENCY_BOUNDS_MS.length).fill(0),
    };
    const n = Number(e.value.value);
    if (field.startsWith("lat:")) {
      const i = Number(field.slice(4));
      if (i >= 0 && i < row.latency.length) row.latency[i] = n;
    } else if ((USAGE_FIELDS as readonly string[]).includes(field)) {
      row.counts[field as UsageField] = n;
    }
    out.providers.set(name, row);
  }
  for (const e of all) {
    const field = e.key[5] as string;
    if (field === "requests" || field === "fallbacks" || field === "errors") {
      out.all[field] = Number(e.value.value);
    }
  }
  return out;
}

/** Timeline events between `since` and `until` (ms), oldest first, at most `limit`. */
export async function listEvents(
  kv: Deno.Kv,
  since: number,
  until: number,
  limit = 1000,
): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  const iter = kv.list<TimelineEvent>({
    start: [...KV.eventPrefix(), String(Math.max(0, since)).padStart(13, "0")],
    end: [...KV.eventPrefix(), String(until + 1).padStart(13, "0")],
  }, { reverse: true, limit, consistency: "eventual" });
  for await (const e of iter) out.push(e.value);
  return out.reverse();
}
