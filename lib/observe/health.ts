/**
 * The sinks that judge providers' health: the circuit breakers, the failover webhook, and the
 * attempt outcomes the status page counts (plus the billing path that served).
 */
import type { Deps } from "../deps.ts";
import { billingTarget } from "../providers/billing.ts";
import type { RequestSummary } from "./summary.ts";

/** Feeds the attempts to the circuit breakers; a broken stream counts as a failure. */
export function circuitSink(deps: Pick<Deps, "circuits">, s: RequestSummary): void {
  deps.circuits.observe(s.records, s.end);
}

/** Counts failed attempts towards the webhook's failover bursts. */
export function webhookSink(deps: Pick<Deps, "webhook">, s: RequestSummary): void {
  deps.webhook.observe(s.records);
}

/** Queues the outcomes for the status page, with the billing path of a served answer. */
export function outcomeSink(deps: Pick<Deps, "outcomes">, s: RequestSummary): void {
  deps.outcomes.add(
    s.billing && s.ok
      ? [...s.outcomes, { targets: [billingTarget(s.billing)], ok: true }]
      : s.outcomes,
  );
}
