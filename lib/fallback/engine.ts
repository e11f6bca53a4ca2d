/**
 * The fallback engine: runs the planned attempts in order until one answers, cools down what
 * failed, and hands back exactly one client response.
 */
import { setImmediate } from "node:timers";
import type { Config } from "../config/schema.ts";
import { readBounded } from "../http/body.ts";
import { anthropicError, errorTypeForStatus } from "../http/errors.ts";
import {
  type ExactRedactor,
  redactAll,
  redactBytes,
  redactErrorResponse,
  redactSecrets,
} from "../http/redact.ts";
import {
  forwardableResponseHeaders,
  responseWithUpstreamHeaders,
  retryAfterMs,
} from "../http/headers.ts";
import { guardStream, type StreamEnd } from "../http/sse_guard.ts";
import { guardBody } from "../http/json_guard.ts";
import { peekAnthropicStream } from "../http/sse_peek.ts";
import type { ProviderAdapter } from "../providers/types.ts";
import type { OutcomeRecord } from "../store/health_store.ts";
import type { Cooldown } from "../store/cooldown_store.ts";
import { classifyStatus, cooldownMs, type Scope, scopeOf, statusForErrorType } from "./classify.ts";
import type { InboundRequest } from "./inbound.ts";
import type { Attempt } from "./plan.ts";
import { markHop } from "./hop.ts";
import { jsonEnds, tapBody, type Usage, usageFromJson, usageFromSse } from "../usage/parse.ts";

const latin1 = new TextDecoder("latin1");
/** Successful non-streaming answers up to this declared size are read whole (see below). */
const BUFFER_JSON_MAX = 8 * 1024 * 1024;

/** One attempt as logs and `x-detour-attempts` report it. */
export interface AttemptRecord {
  label: string;
  provider: string;
  /** The upstream HTTP status (or the status an early stream error stands for). */
  status: number | null;
  /**
   * `ok`, `fallback`, `final`, `timeout`, `network`, `stream_error`, `client_closed`, or one an
   * adapter names for an error it throws (its `outcome` property, e.g. `auth`).
   */
  outcome: string;
  ms: number;
  /** Short, secret-free description of a failure. */
  error?: string;
}

/** What the engine needs from its surroundings. */
export interface EngineDeps {
  adapterFor(provider: Attempt["provider"]["provider"]): ProviderAdapter;
  cooldowns: { set(target: string, cooldown: Cooldown): Promise<void> };
  fetch?: typeof fetch;
  /** issue 12: the exact stored secrets, redacted from every error text that leaves Detour. */
  secrets?: ExactRedactor;
  /** issue 12: this instance's hop id, sent upstream so a loop back into Detour is refused. */
  hopId?: string;
}

/** The client response plus what to log and record once it has been sent. */
export interface EngineResult {
  response: Response;
  servedBy: string | null;
  attempts: AttemptRecord[];
  /** Resolves when the body has been relayed, with the final outcomes to record. */
  done: Promise<Done>;
}

/** How a relayed answer ended, what to record, and the tokens it reported (when it did). */
export interface Done {
  end: StreamEnd;
  outcomes: OutcomeRecord[];
  usage?: Usage | null;
  /** The answer's first bytes as latin1 (only read when debug capture is on). */
  responseHead?: () => string;
}

/** An upstream error answer kept for the all-failed reply. */
interface HttpFailure {
  status: number;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

/** A short description of an upstream error body (Anthropic's `error.message`), never secrets. */
function describe(status: number, body: Uint8Array): string {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body));
    const msg = parsed?.error?.message ?? parsed?.message;
    if (typeof msg === "string") return `${status}: ${redactSecrets(msg.slice(0, 200))}`;
  } catch { /* not JSON */ }
  return `HTTP ${status}`;
}

/** The `x-detour-attempts` value: `anthropic 429 12ms, zai#2 200 340ms`. */
export function formatAttempts(records: AttemptRecord[]): string {
  return records.map((r) => {
    const what = r.status !== null && r.outcome !== "stream_error"
      ? String(r.status)
      : r.status !== null
      ? `${r.outcome}:${r.status}`
      : r.outcome;
    return `${r.label} ${what} ${Math.round(r.ms)}ms`;
  }).join(", ");
}

function withDetourHeaders(headers: Headers, servedBy: string | null, records: AttemptRecord[]) {
  headers.set("x-detour-provider", servedBy ?? "none");
  headers.set("x-detour-attempts", formatAttempts(records));
  return headers;
}

/** Runs the attempts in order; see ARCHITECTURE.md "The fallback engine". */
export async function runAttempts(
  req: InboundRequest,
  attempts: Attempt[],
  config: Config,
  deps: EngineDeps,
): Promise<EngineResult> {
  const fetchUpstream = deps.fetch ?? fetch;
  /** An adapter may answer an attempt locally (its `prepare` returns a Response): no fetch. */
  const doFetch = (r: Request | Response) =>
    // issue 12: outgoing requests carry the hop header (lib/fallback/hop.ts).
    r instanceof Response ? Promise.resolve(r) : fetchUpstream(markHop(r, req.headers, deps.hopId));
  // issue 12: error text leaving Detour loses key patterns and the exact stored secrets.
  const scrub = (text: string) => redactAll(text, deps.secrets);
  const records: AttemptRecord[] = [];
  const outcomes: OutcomeRecord[] = [];
  const failedProviders = new Set<string>();
  let firstHttpFailure: HttpFailure | null = null;

  const coolDown = (attempt: Attempt, scope: Scope, status: number | null, retryMs: number) => {
    const p = attempt.provider.provider;
    const ms = cooldownMs({
      status,
      scope,
      retryAfterMs: retryMs,
      cooldownSeconds: p.cooldownSeconds ?? config.cooldownSeconds,
      authCooldownSeconds: config.authCooldownSeconds,
    });
    if (ms <= 0) return;
    const target = scope === "credential" ? attempt.credential.target : attempt.provider.target;
    const reason = status !== null ? `HTTP ${status}` : "no answer";
    deps.cooldowns.set(target, { until: Date.now() + ms, reason }).catch(() => {});
  };

  const targetsOf = (attempt: Attempt) =>
    attempt.credential.kind === "stored"
      ? [attempt.provider.target, attempt.credential.target]
      : [attempt.provider.target];

  for (const attempt of attempts) {
    const p = attempt.provider.provider;
    if (failedProviders.has(p.id)) continue;
    if (req.signal.aborted) break;
    const adapter = deps.adapterFor(p);
    const started = performance.now();
    const timeoutMs = req.stream || req.endpoint === "count_tokens"
      ? p.timeoutMs ?? config.timeoutMs
      : p.nonStreamingTimeoutMs ??
        Math.max(p.timeoutMs ?? config.timeoutMs, config.nonStreamingTimeoutMs);
    // One controller stops the attempt on a timeout or when the client leaves (cheaper than
    // AbortSignal.any, whose weak references each cost a full garbage collection to clear).
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException("upstream timed out", "TimeoutError")),
      timeoutMs,
    );
    const onClientGone = () => timeout.abort(req.signal.reason);
    req.signal.addEventListener("abort", onClientGone, { once: true });
    const signal = timeout.signal;
    /** The attempt is decided: no more timeout, and a client leaving now ends the relay itself. */
    const settle = () => {
      clearTimeout(timer);
      req.signal.removeEventListener("abort", onClientGone);
    };
    const record = (status: number | null, outcome: string, error?: string) => {
      const r: AttemptRecord = {
        label: attempt.label,
        provider: p.id,
        status,
        outcome,
        ms: performance.now() - started,
      };
      if (error) r.error = error;
      records.push(r);
      return r;
    };
    const fail = (
      status: number | null,
      outcome: string,
      error: string,
      scope: Scope,
      retry = 0,
    ) => {
      error = scrub(error); // issue 12
      record(status, outcome, error);
      outcomes.push({ targets: targetsOf(attempt), ok: false, error });
      coolDown(attempt, scope, status, retry);
      if (scope === "provider") failedProviders.add(p.id);
    };

    try {
      let upstream = await doFetch(await adapter.prepare(req, attempt, signal));
      // An adapter may ask to send the attempt once more, e.g. after renewing an expired token.
      if (adapter.retryOnce && await adapter.retryOnce(upstream, req, attempt)) {
        await upstream.body?.cancel().catch(() => {});
        upstream = await doFetch(await adapter.prepare(req, attempt, signal));
      }
      let res = await adapter.toAnthropic(upstream, req, attempt);
      const verdict = classifyStatus(res.status, config.fallbackOn);
      /** The client response: `body` with the upstream's headers and Detour's own. */
      const answer = (body: BodyInit | null) => {
        const response = responseWithUpstreamHeaders(body, res.status, res.headers);
        withDetourHeaders(response.headers, p.id, records);
        return response;
      };

      if (verdict === "fallback") {
        const body = await readBounded(res);
        settle();
        firstHttpFailure ??= {
          status: res.status,
          headers: res.headers,
          // A stored key's refusal may echo the key: the client never sees it.
          body: attempt.credential.kind !== "client" ? redactBytes(body, scrub) : body, // issue 12
        };
        fail(
          res.status,
          "fallback",
          describe(res.status, body),
          scopeOf(res.status),
          retryAfterMs(res.headers),
        );
        continue;
      }

      // issue 12: an error a stored credential drew may echo it; a success streams untouched.
      if (attempt.credential.kind !== "client") {
        res = await redactErrorResponse(res, readBounded, scrub);
      }
      const isStream = verdict === "ok" &&
        (res.headers.get("content-type") ?? "").includes("text/event-stream") && res.body;
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
        record(res.status, verdict);
        const outcome: OutcomeRecord = {
          targets: targetsOf(attempt),
          ok: verdict === "ok" || res.status < 500,
        };
        outcomes.push(outcome);
        if (whole) {
          return {
            response: answer(whole),
            servedBy: p.id,
            attempts: records,
            // A macrotask later, so recording never runs ahead of sending the answer; setImmediate
            // runs right after it is written, where a setTimeout(0) waits 1–2 ms and then lands
            // in the middle of the next request.
            done: new Promise<Done>((resolve) =>
              setImmediate(() => {
                const { head, tail } = jsonEnds(whole);
                resolve({
                  end: "complete",
                  outcomes,
                  usage: usageFromJson(head, tail),
                  responseHead: () => head,
                });
              })
            ),
          };
        }
        // Otherwise (a translated answer, or one of unknown length) a tap keeps its ends.
        // issue 12: a body that stalls past the idle limit ends (lib/http/json_guard.ts).
        const guard = res.body ? guardBody(res.body, config.streamIdleTimeoutMs) : null;
        let body: ReadableStream<Uint8Array> | null = guard?.body ?? null;
        let done: Promise<Done> = Promise.resolve({ end: "complete", outcomes });
        if (body && verdict === "ok") {
          let resolveDone!: (v: Done) => void;
          done = new Promise<Done>((r) => resolveDone = r);
          body = tapBody(body, (ends) => {
            const broken = !ends && guard!.idled(); // issue 12: recorded as a broken answer
            if (broken) {
              Object.assign(outcome, { ok: false, error: "answer body stalled (idle limit)" });
              coolDown(attempt, "provider", null, 0);
            }
            resolveDone({
              end: ends ? "complete" : broken ? "broken" : "client_closed",
              outcomes,
              usage: ends ? usageFromJson(ends.head, ends.tail) : null,
              responseHead: () => ends?.head ?? "",
            });
          });
        }
        return {
          response: answer(body),
          servedBy: p.id,
          attempts: records,
          done,
        };
      }

      const peek = await peekAnthropicStream(res.body!);
      if (peek.kind === "ended") {
        settle();
        fail(null, "stream_error", "stream ended before any content", "provider");
        continue;
      }
      if (peek.kind === "error") {
        const status = statusForErrorType(peek.errorType);
        if (config.fallbackOn.includes(status)) {
          settle();
          peek.reader.cancel().catch(() => {});
          const body = new TextEncoder().encode(
            JSON.stringify({
              type: "error",
              // issue 12: a stored credential's error event may echo it.
              error: {
                type: peek.errorType,
                message: attempt.credential.kind !== "client" ? scrub(peek.message) : peek.message,
              },
            }),
          );
          firstHttpFailure ??= {
            status,
            headers: new Headers({ "content-type": "application/json" }),
            body,
          };
          fail(
            status,
            "stream_error",
            `${peek.errorType}: ${redactSecrets(peek.message.slice(0, 200))}`,
            scopeOf(status),
          );
          continue;
        }
      }
      // Committed: from here on the client sees bytes, so there is no silent fallback.
      settle();
      record(res.status, "ok");
      let resolveDone!: (v: Done) => void;
      const done = new Promise<Done>((r) => resolveDone = r);
      const head = peek.chunks;
      const stream = guardStream(peek.chunks, peek.reader, (end, detail, tail) => {
        if (end === "broken") {
          outcomes.push({
            targets: targetsOf(attempt),
            ok: false,
            error: scrub(`stream broke: ${detail}`), // issue 12
          });
          coolDown(attempt, "provider", null, 0);
        } else {
          outcomes.push({ targets: targetsOf(attempt), ok: true });
        }
        resolveDone({
          end,
          outcomes,
          usage: usageFromSse(head, tail),
          responseHead: () => head.map((c) => latin1.decode(c)).join(""),
        });
      }, config.streamIdleTimeoutMs);
      return {
        response: answer(stream),
        servedBy: p.id,
        attempts: records,
        done,
      };
    } catch (err) {
      settle();
      if (req.signal.aborted) {
        // The client left: not the upstream's fault, so nothing cools down.
        record(null, "client_closed");
        break;
      }
      if (timeout.signal.aborted) {
        fail(null, "timeout", `no answer within ${timeoutMs} ms`, "provider");
      } else {
        const message = err instanceof Error ? err.message : String(err);
        // An adapter may name its own failure, e.g. `auth` for a refused token refresh.
        const named = (err as { outcome?: unknown } | null)?.outcome;
        const outcome = typeof named === "string" ? named : "network";
        const label = outcome === "network" ? "network error" : outcome;
        fail(null, outcome, `${label}: ${redactSecrets(message.slice(0, 200))}`, "provider");
      }
    }
  }

  return {
    response: allFailed(req, records, firstHttpFailure),
    servedBy: null,
    attempts: records,
    done: Promise.resolve({ end: "complete", outcomes }),
  };
}

/**
 * The answer when no attempt succeeded: the first upstream error as the upstream sent it
 * (Claude Code's recovery reads that wording), else a synthetic error that makes clients back off.
 */
function allFailed(
  req: InboundRequest,
  records: AttemptRecord[],
  first: HttpFailure | null,
): Response {
  if (req.signal.aborted) {
    return anthropicError(499, "client closed the request", { type: "api_error" });
  }
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
