/**
 * After a proxied request has been answered: one structured log line listing every attempt, and
 * the attempts' outcomes (plus the billing path that served) queued for the status page. Runs
 * when the body has gone out, never on the request's path.
 */
import type { Deps } from "../deps.ts";
import { recordAttempts } from "../telemetry.ts";
import { billingPathOf, billingTarget } from "../providers/billing.ts";
import type { EngineResult } from "./engine.ts";
import type { InboundRequest } from "./inbound.ts";
import type { Attempt } from "./plan.ts";
import { recordRequest, type UsageDeps } from "../usage/record_request.ts";

/** Logs and records `result` once its body has been relayed. */
export function logWhenDone(
  deps: Pick<Deps, "logger" | "outcomes" | "circuits" | "webhook"> & UsageDeps,
  req: InboundRequest,
  endpoint: string,
  attempts: Attempt[],
  result: EngineResult,
  started: number,
): void {
  recordAttempts(result.attempts, result.servedBy); // OpenTelemetry; a no-op when it is off
  result.done.then(({ end, outcomes }) => {
    deps.circuits.observe(result.attempts, end);
    deps.webhook.observe(result.attempts);
    // Subscription, API key or cloud: which billing path the serving attempt spent.
    const last = result.attempts.at(-1);
    const served = result.servedBy === null
      ? undefined
      : attempts.find((a) => a.label === last?.label);
    const billing = served ? billingPathOf(served) : null;
    deps.logger.info("request", {
      id: req.id,
      endpoint,
      model: req.model,
      stream: req.stream,
      status: result.response.status,
      servedBy: result.servedBy,
      billing,
      accessKey: req.client.accessKey,
      end,
      ms: Math.round(performance.now() - started),
      attempts: result.attempts.map((a) => ({
        provider: a.label,
        status: a.status,
        outcome: a.outcome,
        ms: Math.round(a.ms),
        ...(a.error ? { error: a.error } : {}),
      })),
    });
    deps.outcomes.add(
      billing && result.response.ok
        ? [...outcomes, { targets: [billingTarget(billing)], ok: true }]
        : outcomes,
    );
  }).catch((err) =>
    deps.logger.warn("logging the request failed", { id: req.id, err: String(err) })
  );
  // Usage, quotas, the request log and metrics: also only once the body has gone out.
  const ttfbMs = performance.now() - started;
  result.done.then((done) =>
    recordRequest(deps, req, endpoint, attempts, result, done, {
      ttfbMs,
      ms: performance.now() - started,
    })
  ).catch((err) => deps.logger.warn("recording usage failed", { id: req.id, err: String(err) }));
}
