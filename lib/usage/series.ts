/**
 * The dashboard's data: per hour over the last 24 hours or 7 days, requests and tokens per
 * provider, p50/p95 latency per provider, the fallback and error counts of all requests, and
 * the cooldown and circuit events of the period. Read from the hourly KV sums, so every
 * instance's traffic is in it.
 */
import type { Chain } from "../fallback/chain.ts";
import { listEvents, readSeriesBucket, type SeriesBucket } from "../store/usage_store.ts";
import { LATENCY_BOUNDS_MS, percentile } from "./latency.ts";

const HOUR = 3_600_000;

/** The ranges the dashboard offers, in hours. */
export const SERIES_RANGES = { "24h": 24, "7d": 168 } as const;
export type SeriesRange = keyof typeof SERIES_RANGES;

/** Hourly buckets read at once: bounds the KV calls in flight. */
const PARALLEL = 24;

/** The dashboard's series for `range`, ending with the current (partial) hour. */
export async function usageSeries(
  kv: Deno.Kv,
  chain: Chain,
  range: SeriesRange,
  now = Date.now(),
) {
  const hours = SERIES_RANGES[range];
  const last = Math.floor(now / HOUR) * HOUR;
  const buckets = Array.from({ length: hours }, (_, i) => last - (hours - 1 - i) * HOUR);
  const read: SeriesBucket[] = [];
  for (let i = 0; i < buckets.length; i += PARALLEL) {
    read.push(
      ...await Promise.all(buckets.slice(i, i + PARALLEL).map((b) => readSeriesBucket(kv, b))),
    );
  }
  // The chain's providers in order, then any that served in the period but are gone since.
  const ids = chain.providers.map((p) => p.provider.id);
  for (const b of read) for (const id of b.providers.keys()) if (!ids.includes(id)) ids.push(id);
  const empty = () => new Array(LATENCY_BOUNDS_MS.length).fill(0) as number[];
  const providers = ids.map((id) => {
    const rows = read.map((b) => b.providers.get(id));
    const whole = empty();
    for (const r of rows) r?.latency.forEach((n, i) => whole[i] += n);
    const tokens = rows.map((r) =>
      r ? r.counts.input + r.counts.output + r.counts.cache_read + r.counts.cache_write : 0
    );
    const requests = rows.map((r) => r?.counts.requests ?? 0);
    return {
      id,
      name: chain.providers.find((p) => p.provider.id === id)?.provider.name ?? id,
      requests,
      tokens,
      p50: rows.map((r) => r ? percentile(r.latency, 0.5) : null),
      p95: rows.map((r) => r ? percentile(r.latency, 0.95) : null),
      total: {
        requests: requests.reduce((a, b) => a + b, 0),
        tokens: tokens.reduce((a, b) => a + b, 0),
        p50: percentile(whole, 0.5),
        p95: percentile(whole, 0.95),
      },
    };
  });
  const all = {
    requests: read.map((b) => b.all.requests),
    fallbacks: read.map((b) => b.all.fallbacks),
    errors: read.map((b) => b.all.errors),
  };
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    range,
    stepMs: HOUR,
    /** Each bucket's start (ms since 1970, UTC hours). */
    buckets,
    providers,
    all: {
      ...all,
      /** Fallbacks per request, per hour (null where there were none). */
      fallbackRate: read.map((b) => b.all.requests ? b.all.fallbacks / b.all.requests : null),
      total: {
        requests: sum(all.requests),
        fallbacks: sum(all.fallbacks),
        errors: sum(all.errors),
      },
    },
    events: await listEvents(kv, buckets[0], now),
  };
}

/** What GET /admin/api/usage/series answers. */
export type UsageSeries = Awaited<ReturnType<typeof usageSeries>>;
