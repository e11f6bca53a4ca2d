/**
 * A fixed latency histogram, so hourly KV sums from many instances add up and p50/p95 can be
 * estimated later without keeping every sample.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LATENCY_BOUNDS_MS, latencyBucket, percentile } from "./latency.ts";
 *
 * const counts = new Array(LATENCY_BOUNDS_MS.length).fill(0);
 * counts[latencyBucket(320)]++;
 * const p50 = percentile(counts, 0.5)!; // interpolated within the 250–500 ms bucket
 * assert.ok(p50 > 250 && p50 <= 500);
 * ```
 */

/** Upper bounds (ms) of each bucket; the last one catches everything slower. */
export const LATENCY_BOUNDS_MS = [
  100,
  250,
  500,
  750,
  1000,
  1500,
  2000,
  3000,
  5000,
  7500,
  10_000,
  15_000,
  20_000,
  30_000,
  60_000,
  120_000,
  Infinity,
] as const;

/** The bucket index `ms` falls in. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i === -1 ? LATENCY_BOUNDS_MS.length - 1 : i;
}

/**
 * The `q` quantile (0..1) of a histogram, interpolated linearly inside its bucket; null when
 * empty. The open-ended last bucket reports its lower bound.
 */
export function percentile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      const upper = LATENCY_BOUNDS_MS[i];
      if (!Number.isFinite(upper)) return lower;
      return Math.round(lower + (upper - lower) * ((rank - seen) / counts[i]));
    }
    seen += counts[i];
  }
  return null;
}
