/**
 * What happens after a proxied request has been answered: one summary, built once its body has
 * gone out, handed to each sink in turn. Nothing here runs on the request's path: the engine
 * resolves `done` a macrotask after the answer was written (see `Done` in fallback/engine.ts).
 *
 * The last stage of the request path: route → plan → engine → adapter → relay → these sinks.
 */
import type { Deps } from "../deps.ts";
import type { AttemptRecord, Done } from "../fallback/engine.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import { recordAttempts } from "../telemetry.ts";
import { circuitSink, outcomeSink, webhookSink } from "./health.ts";
import { logLine } from "./log_line.ts";
import { metricsSink } from "./metrics.ts";
import { requestLogSink } from "./request_log.ts";
import { type Answered, type RequestSummary, summarize } from "./summary.ts";
import { usageSink } from "./usage.ts";

/** What the sinks need from the app's dependencies. */
export type ObserveDeps = Pick<
  Deps,
  "logger" | "outcomes" | "circuits" | "webhook" | "usage" | "metrics" | "live"
>;

/** One consumer of the summary. */
export type Sink = (deps: ObserveDeps, summary: RequestSummary) => void;

/** The sinks, in the order they see each summary. */
export const SINKS: readonly { name: string; sink: Sink }[] = [
  { name: "circuits", sink: circuitSink },
  { name: "webhook", sink: webhookSink },
  { name: "log", sink: logLine },
  { name: "outcomes", sink: outcomeSink },
  { name: "usage", sink: usageSink },
  { name: "request log", sink: requestLogSink },
  { name: "metrics", sink: metricsSink },
];

/** Hands `summary` to every sink; one that throws is logged and skipped, the others still run. */
export function runSinks<D extends Pick<Deps, "logger">>(
  deps: D,
  summary: RequestSummary,
  sinks: readonly { name: string; sink: (deps: D, summary: RequestSummary) => void }[],
): void {
  for (const { name, sink } of sinks) {
    try {
      sink(deps, summary);
    } catch (err) {
      deps.logger.warn("observing the request failed", {
        id: summary.req.id,
        sink: name,
        err: String(err),
      });
    }
  }
}

/**
 * Observes `result` once its body has been relayed. `started` is when the route began
 * (`performance.now()`); call this right after the engine returns.
 */
export function observeWhenDone(
  deps: ObserveDeps,
  req: InboundRequest,
  route: string,
  planned: Attempt[],
  result: Answered & { done: Promise<Done> },
  started: number,
  /** Credentials the plan held back (spill-over), listed before the attempts in the log. */
  notes: AttemptRecord[] = [],
): void {
  // The one sink that cannot wait for the summary: OpenTelemetry's request span may have ended
  // by the time the body has gone out, so the attempts' spans are recorded under it now, from
  // what the engine already knows (a no-op when OTel is off).
  recordAttempts(result.attempts, result.servedBy);
  const ttfbMs = performance.now() - started;
  result.done.then((done) => {
    const timing = { ttfbMs, ms: performance.now() - started };
    runSinks(
      deps,
      summarize({ req, route, planned, timing, now: Date.now(), notes }, result, done),
      SINKS,
    );
  }).catch((err) =>
    deps.logger.warn("observing the request failed", { id: req.id, err: String(err) })
  );
}
