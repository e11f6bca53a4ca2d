/**
 * The one summary of a proxied request once its answer has gone out: which attempt served it,
 * every attempt as logs report it, how the body ended, the tokens it spent, and how long it
 * took. Built once, then handed to every sink (lib/observe/sinks.ts), so none of them looks up
 * the served attempt or maps the attempts again.
 */
import type { AttemptRecord, Done, EngineResult } from "../fallback/engine.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import type { StreamEnd } from "../http/sse_guard.ts";
import { type BillingPath, billingPathOf } from "../providers/billing.ts";
import type { OutcomeRecord } from "../store/health_store.ts";
import type { LoggedAttempt } from "../store/usage_store.ts";

/** Token counts as the request log, the metrics and usage sums report them. */
export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Everything the sinks report about one answered request. */
export interface RequestSummary {
  req: InboundRequest;
  /**
   * The route the request came in on: `messages`, `count_tokens`, `chat_completions` (stored as
   * the request log's and metrics' `endpoint`; `req.endpoint` is the Anthropic endpoint).
   */
  route: string;
  status: number;
  ok: boolean;
  servedBy: string | null;
  /** The planned attempt that served the answer (none when every attempt failed). */
  served: Attempt | undefined;
  /** Subscription, API key or cloud: the billing path the serving attempt spent. */
  billing: BillingPath | null;
  /** The serving key's label (`zai#2`); never a value, and none for passthrough credentials. */
  keyLabel: string | null;
  /** The model the upstream named in its answer, else the one sent to it. */
  modelServed: string | null;
  records: AttemptRecord[];
  /**
   * `records` as logs, metrics and the request log list them (ms rounded), after the plan's
   * spill-over notes (outcome `spill:<window>`).
   */
  attempts: LoggedAttempt[];
  end: StreamEnd;
  /** Attempt outcomes for the status page and circuit breakers. */
  outcomes: OutcomeRecord[];
  tokens: Tokens | null;
  /** Until the engine returned the response, and until its body had been relayed. */
  ttfbMs: number;
  ms: number;
  /** When the body had been relayed (epoch ms). */
  at: number;
  /** The answer's first bytes as latin1 (only read when debug capture is on). */
  responseHead?: () => string;
}

/** The engine's answer as the summary reads it (`served`, when the engine names it). */
export type Answered = Pick<EngineResult, "response" | "servedBy" | "attempts"> & {
  served?: Attempt | null;
};

/** What the summary is built from, beside the engine's answer and how it ended. */
export interface SummaryInput {
  req: InboundRequest;
  route: string;
  /** The planned attempts, in the order they were tried. */
  planned: Attempt[];
  timing: { ttfbMs: number; ms: number };
  now: number;
  /** Credentials the plan held back (spill-over): logged before the attempts, never judged. */
  notes?: AttemptRecord[];
}

/** The attempt that served `result`: the engine's word, else the last attempt's label. */
export function servedAttempt(planned: Attempt[], result: Answered): Attempt | undefined {
  if (result.servedBy === null) return undefined;
  if (result.served) return result.served;
  const last = result.attempts.at(-1);
  return planned.find((a) => a.label === last?.label);
}

/**
 * One attempt as logs list it: rounded ms, the error only when there is one.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { loggedAttempt } from "./summary.ts";
 *
 * const rec = { label: "zai#2", provider: "zai", status: 429, outcome: "fallback", ms: 12.4 };
 * assert.deepEqual(loggedAttempt(rec), {
 *   provider: "zai#2",
 *   status: 429,
 *   outcome: "fallback",
 *   ms: 12,
 * });
 * ```
 */
export function loggedAttempt(a: AttemptRecord): LoggedAttempt {
  return {
    provider: a.label,
    status: a.status,
    outcome: a.outcome,
    ms: Math.round(a.ms),
    ...(a.error ? { error: a.error } : {}),
  };
}

/** Builds the summary of an answered request whose body has been relayed (`done`). */
export function summarize(input: SummaryInput, result: Answered, done: Done): RequestSummary {
  const served = servedAttempt(input.planned, result);
  const u = done.usage ?? null;
  return {
    req: input.req,
    route: input.route,
    status: result.response.status,
    ok: result.response.ok,
    servedBy: result.servedBy,
    served,
    billing: served ? billingPathOf(served) : null,
    keyLabel: served?.credential.kind === "stored" ? served.label : null,
    modelServed: u?.model ?? served?.model ?? null,
    records: result.attempts,
    attempts: [...(input.notes ?? []), ...result.attempts].map(loggedAttempt),
    end: done.end,
    outcomes: done.outcomes,
    tokens: u
      ? { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite }
      : null,
    ttfbMs: input.timing.ttfbMs,
    ms: input.timing.ms,
    at: input.now,
    ...(done.responseHead ? { responseHead: done.responseHead } : {}),
  };
}
