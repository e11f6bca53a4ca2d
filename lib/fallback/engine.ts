/**
 * The fallback engine: runs the planned attempts in order until one answers, cools down what
 * failed, and hands back exactly one client response. See ARCHITECTURE.md "The request path":
 * each attempt goes through the interceptors (lib/fallback/interceptors.ts); the ledger keeps
 * the records (ledger.ts); an answer is committed by commit.ts.
 */
import type { Config } from "../config/schema.ts";
import { readBounded } from "../http/body.ts";
import { anthropicError, errorTypeForStatus } from "../http/errors.ts";
import { type ExactRedactor, redactErrorResponse, redactSecrets } from "../http/redact.ts";
import { forwardableResponseHeaders } from "../http/headers.ts";
import { peekAnthropicStream } from "../http/sse_peek.ts";
import { classifyStatus, scopeOf, statusForErrorType, unansweredMessage } from "./classify.ts";
import { commitStream, commitTapped, commitWhole, type EngineResult } from "./commit.ts";
import type { InboundRequest } from "./inbound.ts";
import { holdWhile } from "./held_stream.ts";
import { attemptCall, type Send } from "./interceptors.ts";
import { AttemptLedger, type CooldownSink, withDetourHeaders } from "./ledger.ts";
import type { Attempt } from "./plan.ts";
import { type RelayObserver, usageObserver } from "./relay_observer.ts";
import { debugCaptureBytes, releaseBody } from "./release_body.ts";

export type { Done, EngineResult } from "./commit.ts";
export { type AttemptRecord, formatAttempts } from "./ledger.ts";

/** Successful non-streaming answers up to this declared size are read whole (see below). */
const BUFFER_JSON_MAX = 8 * 1024 * 1024;

/** What the engine needs from its surroundings. */
export interface EngineDeps {
  /** Sends one attempt through its interceptors and adapter (lib/providers/adapters.ts). */
  send: Send;
  cooldowns: CooldownSink;
  /** Reads the relayed answer's usage (default: `usageObserver`). */
  observer?: RelayObserver;
  /** The exact stored secrets, redacted from every error text that leaves Detour. */
  secrets?: ExactRedactor;
  /** Aborted when Detour's shutdown grace is over: committed streams end with an error event. */
  shutdown?: AbortSignal;
  /**
   * The client reads the Anthropic wire as Detour writes it (the Messages route): a streaming
   * request still undecided after `config.pingAfterMs` may be answered early and pinged
   * (held_stream.ts), and a 200 JSON answer is judged as an Anthropic message. Off for the chat
   * route, which rewrites answers by their provider's headers (an OpenAI-wire passthrough).
   */
  anthropicWire?: boolean;
}

/** How one attempt went: the request's answer, or on to the next attempt, or the client left. */
type Tried = EngineResult | "fallback" | "client_gone" | "shutdown";

/**
 * Runs the attempts in order; see ARCHITECTURE.md "The request path". A streaming request that
 * has no answer after `config.pingAfterMs` is answered at once and pinged until it has one.
 */
export function runAttempts(
  req: InboundRequest,
  attempts: Attempt[],
  config: Config,
  deps: EngineDeps,
): Promise<EngineResult> {
  const ledger = new AttemptLedger(config, deps.cooldowns, deps.secrets);
  const run = runInOrder(req, attempts, config, deps, ledger);
  const holds = deps.anthropicWire && req.stream && req.endpoint === "messages" &&
    config.pingAfterMs > 0;
  return holds ? holdWhile(run, config.pingAfterMs, ledger.records) : run;
}

/** The attempts one after another, until one answers; else the all-failed answer. */
async function runInOrder(
  req: InboundRequest,
  attempts: Attempt[],
  config: Config,
  deps: EngineDeps,
  ledger: AttemptLedger,
): Promise<EngineResult> {
  for (const attempt of attempts) {
    if (ledger.providerFailed(attempt)) continue;
    if (req.signal.aborted) break;
    if (deps.shutdown?.aborted) return shuttingDown(ledger);
    const tried = await tryAttempt(req, attempt, config, deps, ledger);
    if (tried === "client_gone") break;
    if (tried === "shutdown") return shuttingDown(ledger);
    if (tried !== "fallback") {
      // Committed: nothing resends the body now, and a stream may stay open for minutes.
      releaseBody(req, debugCaptureBytes(config, Date.now()));
      return tried;
    }
  }
  const refusal = ledger.refusal;
  if (refusal && !req.signal.aborted) {
    // Every provider failed or declined: the (first) refusal is a real answer, better than an
    // error the client would retry into the same refusal.
    const res = new Response(null, { status: refusal.status, headers: refusal.headers });
    return commitWhole(res, refusal.body, refusal.attempt, ledger, deps.observer ?? usageObserver);
  }
  return {
    response: allFailed(req, ledger),
    served: null,
    servedBy: null,
    attempts: ledger.records,
    done: Promise.resolve({ end: "complete", outcomes: ledger.outcomes }),
  };
}

/** How long one attempt may take before its first answer (streams and counts are quick). */
function timeoutOf(req: InboundRequest, attempt: Attempt, config: Config): number {
  const p = attempt.provider;
  return req.stream || req.endpoint === "count_tokens"
    ? p.timeoutMs ?? config.timeoutMs
    : p.nonStreamingTimeoutMs ??
      Math.max(p.timeoutMs ?? config.timeoutMs, config.nonStreamingTimeoutMs);
}

/** One attempt: sent, classified, and committed or failed over. */
async function tryAttempt(
  req: InboundRequest,
  attempt: Attempt,
  config: Config,
  deps: EngineDeps,
  ledger: AttemptLedger,
): Promise<Tried> {
  const started = performance.now();
  const timeoutMs = timeoutOf(req, attempt, config);
  // One controller stops the attempt on a timeout or when the client leaves (cheaper than
  // AbortSignal.any, whose weak references each cost a full garbage collection to clear).
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new DOMException("upstream timed out", "TimeoutError")),
    timeoutMs,
  );
  const onClientGone = () => timeout.abort(req.signal.reason);
  req.signal.addEventListener("abort", onClientGone, { once: true });
  // Detour's shutdown grace is over while this waits for headers: stop waiting, answer 529.
  deps.shutdown?.addEventListener("abort", onClientGone, { once: true });
  /** The attempt is decided: no more timeout, and a client leaving now ends the relay itself. */
  const settle = () => {
    clearTimeout(timer);
    req.signal.removeEventListener("abort", onClientGone);
    deps.shutdown?.removeEventListener("abort", onClientGone);
  };
  try {
    let res = await deps.send(attemptCall(req, attempt, timeout.signal));
    const verdict = classifyStatus(res.status, config.fallbackOn);
    if (verdict === "fallback") {
      const body = await readBounded(res);
      settle();
      ledger.refused(attempt, started, res.status, res.headers, body);
      return "fallback";
    }
    // An error a stored credential drew may echo it; a success streams untouched.
    if (attempt.credential.kind !== "client") {
      res = await redactErrorResponse(res, readBounded, (t) => ledger.scrub(t));
    }
    const observer = deps.observer ?? usageObserver;
    const isStream = verdict === "ok" && res.body &&
      (res.headers.get("content-type") ?? "").includes("text/event-stream");
    if (!isStream) {
      // A successful answer of declared, modest length is read whole (still under the
      // attempt's timeout): the client gets it from memory on the runtime's fast path, its
      // usage is read off its ends, and a connection that drops mid-body falls back instead
      // of reaching the client cut short.
      const declared = Number(res.headers.get("content-length") ?? NaN);
      const whole = verdict === "ok" && res.body && declared <= BUFFER_JSON_MAX
        ? new Uint8Array(await res.arrayBuffer())
        : null;
      settle();
      const judged = whole && deps.anthropicWire && req.endpoint === "messages";
      if (judged && noAnswer(res, whole, attempt, ledger, started)) return "fallback";
      ledger.record(attempt, started, res.status, verdict);
      const outcome = ledger.outcome(attempt, verdict === "ok" || res.status < 500);
      return whole
        ? commitWhole(res, whole, attempt, ledger, observer)
        : commitTapped(res, verdict === "ok", attempt, ledger, observer, {
          outcome,
          idleMs: config.streamIdleTimeoutMs,
        });
    }
    return await tryStream(res, attempt, config, ledger, observer, started, settle, deps.shutdown);
  } catch (err) {
    settle();
    if (req.signal.aborted) {
      // The client left: not the upstream's fault, so nothing cools down.
      ledger.record(attempt, started, null, "client_closed");
      return "client_gone";
    }
    if (deps.shutdown?.aborted) {
      // Detour ended it, not the upstream: nothing cools down.
      ledger.record(attempt, started, null, "shutdown");
      return "shutdown";
    }
    ledger.fail(attempt, started, thrownFailure(err, timeout.signal.aborted, timeoutMs));
    return "fallback";
  }
}

/** A stream: fails over when it ends or errors before any content, else is committed. */
async function tryStream(
  res: Response,
  attempt: Attempt,
  config: Config,
  ledger: AttemptLedger,
  observer: RelayObserver,
  started: number,
  settle: () => void,
  shutdown?: AbortSignal,
): Promise<Tried> {
  const peek = await peekAnthropicStream(res.body!);
  if (peek.kind === "ended") {
    settle();
    const error = "stream ended before any content";
    ledger.fail(attempt, started, {
      status: null,
      outcome: "stream_error",
      error,
      scope: "provider",
    });
    return "fallback";
  }
  if (peek.kind === "refusal") {
    // The rest is the `message_stop`: read it (bounded, still under the attempt's timeout) so
    // the refusal can be the answer should every other provider fail.
    const body = await readRest(peek.chunks, peek.reader);
    settle();
    ledger.declined(attempt, started, { status: res.status, headers: res.headers, body });
    return "fallback";
  }
  if (peek.kind === "error") {
    const status = statusForErrorType(peek.errorType);
    if (config.fallbackOn.includes(status)) {
      settle();
      peek.reader.cancel().catch(() => {});
      // A stored credential's error event may echo it.
      const message = attempt.credential.kind !== "client"
        ? ledger.scrub(peek.message)
        : peek.message;
      const body = new TextEncoder().encode(
        JSON.stringify({ type: "error", error: { type: peek.errorType, message } }),
      );
      ledger.firstHttpFailure ??= {
        status,
        headers: new Headers({ "content-type": "application/json" }),
        body,
      };
      const error = `${peek.errorType}: ${redactSecrets(peek.message.slice(0, 200))}`;
      ledger.fail(attempt, started, {
        status,
        outcome: "stream_error",
        error,
        scope: scopeOf(status),
      });
      return "fallback";
    }
  }
  // Committed: from here on the client sees bytes, so there is no silent fallback.
  settle();
  ledger.record(attempt, started, res.status, "ok");
  return commitStream(
    res,
    peek.chunks,
    peek.reader,
    attempt,
    ledger,
    observer,
    config.streamIdleTimeoutMs,
    shutdown,
  );
}

/**
 * A 200 JSON Messages answer that is no answer: a refusal declines (the next provider is asked,
 * nothing cools down), an empty one fails like a 5xx. True when the request goes on.
 */
function noAnswer(
  res: Response,
  whole: Uint8Array<ArrayBuffer>,
  attempt: Attempt,
  ledger: AttemptLedger,
  started: number,
): boolean {
  const kind = unansweredMessage(whole);
  if (kind === "refusal") {
    ledger.declined(attempt, started, { status: res.status, headers: res.headers, body: whole });
  } else if (kind === "empty") {
    const error = "200 answer with no message content";
    ledger.fail(attempt, started, {
      status: res.status,
      outcome: "empty",
      error,
      scope: "provider",
    });
  }
  return kind !== null;
}

/** The peeked chunks and the rest of a short stream, in one buffer (at most 64 KiB more). */
async function readRest(
  chunks: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<Uint8Array<ArrayBuffer>> {
  const all = [...chunks];
  let more = 0;
  while (more < 64 * 1024) {
    const { done, value } = await reader.read();
    if (done) break;
    all.push(value);
    more += value.byteLength;
  }
  if (more >= 64 * 1024) reader.cancel().catch(() => {});
  const out = new Uint8Array(all.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of all) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * The answer to a request still waiting on upstream headers when the shutdown grace ends: a
 * 529 `overloaded_error`, which Claude Code and the SDKs retry (on another instance).
 */
function shuttingDown(ledger: AttemptLedger): EngineResult {
  return {
    response: anthropicError(529, "Detour is restarting; retry the request", {
      type: "overloaded_error",
      headers: withDetourHeaders(new Headers({ "retry-after": "1" }), null, ledger.records),
    }),
    served: null,
    servedBy: null,
    attempts: ledger.records,
    done: Promise.resolve({ end: "complete", outcomes: ledger.outcomes }),
  };
}

/** The failure an attempt that threw stands for: a timeout, or a (named) network error. */
function thrownFailure(err: unknown, timedOut: boolean, timeoutMs: number) {
  if (timedOut) {
    return {
      status: null,
      outcome: "timeout",
      error: `no answer within ${timeoutMs} ms`,
      scope: "provider" as const,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  // An adapter may name its own failure, e.g. `auth` for a refused token refresh.
  const named = (err as { outcome?: unknown } | null)?.outcome;
  const outcome = typeof named === "string" ? named : "network";
  const label = outcome === "network" ? "network error" : outcome;
  const error = `${label}: ${redactSecrets(message.slice(0, 200))}`;
  return { status: null, outcome, error, scope: "provider" as const };
}

/**
 * The answer when no attempt succeeded: the first upstream error as the upstream sent it
 * (Claude Code's recovery reads that wording), else a synthetic error that makes clients back off.
 */
function allFailed(req: InboundRequest, ledger: AttemptLedger): Response {
  if (req.signal.aborted) {
    return anthropicError(499, "client closed the request", { type: "api_error" });
  }
  const records = ledger.records;
  const first = ledger.firstHttpFailure;
  if (first) {
    const headers = withDetourHeaders(forwardableResponseHeaders(first.headers), null, records);
    // The body was read bounded (and may be cut short); the runtime sets the real length.
    headers.delete("content-length");
    return new Response(first.body, { status: first.status, headers });
  }
  const timedOut = records.some((r) => r.outcome === "timeout");
  const status = timedOut ? 529 : 502;
  const summary = records.map((r) => `${r.label}: ${r.error ?? r.outcome}`).join("; ");
  return anthropicError(
    status,
    `Detour: every provider failed (${summary || "none could be tried"})`,
    {
      type: errorTypeForStatus(status),
      headers: withDetourHeaders(new Headers(), null, records),
    },
  );
}
