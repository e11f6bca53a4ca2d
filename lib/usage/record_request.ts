/**
 * After a proxied request has been answered: its usage (per provider, key and model), its quota
 * spend, its request-log entry and its metrics, all queued in memory (lib/usage/recorder.ts
 * writes them to KV in batches). Runs once the body has gone out, never on the request's path.
 */
import type { Deps } from "../deps.ts";
import type { Done, EngineResult } from "../fallback/engine.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import { logId, type RequestLogEntry } from "../store/usage_store.ts";
import { fromLatin1, redactBody } from "./capture.ts";

/** What recording needs from the app's dependencies. */
export type UsageDeps = Pick<Deps, "usage" | "metrics" | "live">;

/** Queues usage, quota spend, a log entry and metrics for a request whose body went out. */
export function recordRequest(
  deps: UsageDeps,
  req: InboundRequest,
  endpoint: string,
  attempts: Attempt[],
  result: EngineResult,
  done: Done,
  timing: { ttfbMs: number; ms: number },
): void {
  const now = Date.now();
  const last = result.attempts.at(-1);
  const served = result.servedBy === null
    ? undefined
    : attempts.find((a) => a.label === last?.label);
  const u = done.usage ?? null;
  const tokens = u
    ? { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite }
    : null;
  // Keys are named by label (`zai#2`), never by value; passthrough credentials not at all.
  const keyLabel = served?.credential.kind === "stored" ? served.label : null;
  const modelServed = u?.model ?? served?.model ?? null;
  const status = result.response.status;
  const attemptsLogged = result.attempts.map((a) => ({
    provider: a.label,
    status: a.status,
    outcome: a.outcome,
    ms: Math.round(a.ms),
    ...(a.error ? { error: a.error } : {}),
  }));
  const config = deps.live.config;
  const id = logId(now);
  const debugUntil = config.requestLog.debugBodiesUntil;
  const capture = debugUntil !== undefined && Date.parse(debugUntil) > now;
  const entry: RequestLogEntry = {
    id,
    requestId: req.id,
    time: new Date(now).toISOString(),
    endpoint,
    accessKey: req.client.accessKey,
    model: req.model,
    modelServed,
    servedBy: result.servedBy,
    key: keyLabel,
    stream: req.stream,
    status,
    end: done.end,
    attempts: attemptsLogged,
    tokens,
    ttfbMs: Math.round(timing.ttfbMs),
    ms: Math.round(timing.ms),
    ...(capture ? { hasBodies: true } : {}),
  };
  let bodies;
  if (capture) {
    // Every secret Detour knows of goes, plus anything key-shaped.
    const known = [
      ...deps.live.chain.providers.flatMap((p) => p.keys.map((k) => k.value)),
      ...(req.client.credential ? [req.client.credential.value] : []),
    ];
    const max = config.requestLog.debugBodyBytes;
    const head = done.responseHead?.() ?? null;
    bodies = {
      request: redactBody(new TextDecoder().decode(req.raw.subarray(0, max + 8192)), max, known),
      response: head === null ? null : redactBody(fromLatin1(head), max, known),
    };
  }
  deps.usage.add({
    // count_tokens answers spend nothing: they are logged, not counted.
    usage: served && result.response.ok && endpoint !== "count_tokens"
      ? {
        at: now,
        provider: served.provider.id,
        keyLabel,
        model: modelServed ?? req.model,
        counts: {
          requests: 1,
          input: tokens?.input ?? 0,
          output: tokens?.output ?? 0,
          cache_read: tokens?.cacheRead ?? 0,
          cache_write: tokens?.cacheWrite ?? 0,
        },
      }
      : null,
    quotaTargets: served
      ? [served.entry.target, ...(keyLabel ? [served.credential.target] : [])]
      : [],
    entry,
    bodies,
    // The dashboard charts requests that spend tokens; count_tokens calls would swamp them.
    traffic: endpoint === "count_tokens" ? null : {
      at: now,
      fellBack: result.attempts.length > 1,
      error: status >= 400,
      served: served && result.response.ok && last
        ? { provider: served.provider.id, ms: last.ms }
        : null,
    },
  });
  deps.metrics.observe({
    endpoint,
    status,
    servedBy: result.servedBy,
    model: modelServed ?? req.model,
    attempts: attemptsLogged,
    tokens,
    ttfbMs: timing.ttfbMs,
    ms: timing.ms,
  });
}
