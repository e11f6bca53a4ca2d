/** This instance's Prometheus counters (GET /metrics) for one answered request. */
import type { Deps } from "../deps.ts";
import type { RequestSummary } from "./summary.ts";

/** Counts `s`: status class, attempts and fallbacks, tokens, and its latency. */
export function metricsSink(deps: Pick<Deps, "metrics">, s: RequestSummary): void {
  deps.metrics.observe({
    endpoint: s.route,
    status: s.status,
    servedBy: s.servedBy,
    model: s.modelServed ?? s.req.model,
    attempts: s.attempts,
    tokens: s.tokens,
    ttfbMs: s.ttfbMs,
    ms: s.ms,
  });
}
