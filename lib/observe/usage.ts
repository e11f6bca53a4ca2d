/**
 * Usage sums (per provider, key and model), quota spend, and the dashboard's traffic series,
 * queued in memory (lib/usage/recorder.ts writes them to KV in batches).
 */
import type { Deps } from "../deps.ts";
import type { TrafficDelta, UsageDelta } from "../store/usage_store.ts";
import type { RequestSummary } from "./summary.ts";

/** The tokens a served answer spent; count_tokens answers spend nothing (logged, not counted). */
export function usageDelta(s: RequestSummary): UsageDelta | null {
  if (!s.served || !s.ok || s.route === "count_tokens") return null;
  return {
    at: s.at,
    provider: s.served.provider.id,
    keyLabel: s.keyLabel,
    model: s.modelServed ?? s.req.model,
    counts: {
      requests: 1,
      input: s.tokens?.input ?? 0,
      output: s.tokens?.output ?? 0,
      cache_read: s.tokens?.cacheRead ?? 0,
      cache_write: s.tokens?.cacheWrite ?? 0,
    },
  };
}

/** The quota targets a served answer spends against: its provider and its stored key. */
export function quotaTargets(s: RequestSummary): string[] {
  if (!s.served) return [];
  return [s.served.entry.target, ...(s.keyLabel ? [s.served.credential.target] : [])];
}

/** One point of the dashboard's traffic; count_tokens calls would swamp the chart. */
export function trafficDelta(s: RequestSummary): TrafficDelta | null {
  if (s.route === "count_tokens") return null;
  const last = s.records.at(-1);
  return {
    at: s.at,
    fellBack: s.records.length > 1,
    error: s.status >= 400,
    served: s.served && s.ok && last ? { provider: s.served.provider.id, ms: last.ms } : null,
  };
}

/** Queues usage, quota spend and traffic for `s`. */
export function usageSink(deps: Pick<Deps, "usage">, s: RequestSummary): void {
  deps.usage.add({
    usage: usageDelta(s),
    quotaTargets: quotaTargets(s),
    entry: null,
    traffic: trafficDelta(s),
  });
}
