/**
 * The request log's entry for one request (no body, no credential), with its redacted bodies
 * while debug capture is on; queued in memory and written to KV in batches.
 */
import type { Deps } from "../deps.ts";
import type { LiveConfig } from "../config/live_config.ts";
import { type CapturedBodies, logId, type RequestLogEntry } from "../store/usage_store.ts";
import { fromLatin1, redactBody } from "../usage/capture.ts";
import type { RequestSummary } from "./summary.ts";

/** The request-log entry for `s`; `hasBodies` marks one whose bodies were captured. */
export function requestLogEntry(s: RequestSummary, capture: boolean): RequestLogEntry {
  return {
    id: logId(s.at),
    requestId: s.req.id,
    time: new Date(s.at).toISOString(),
    endpoint: s.route,
    accessKey: s.req.client.accessKey,
    model: s.req.model,
    modelServed: s.modelServed,
    servedBy: s.servedBy,
    key: s.keyLabel,
    stream: s.req.stream,
    status: s.status,
    end: s.end,
    attempts: s.attempts,
    tokens: s.tokens,
    ttfbMs: Math.round(s.ttfbMs),
    ms: Math.round(s.ms),
    ...(capture ? { hasBodies: true } : {}),
  };
}

/** The request and response bodies cut to the configured size, every secret Detour knows out. */
export function capturedBodies(s: RequestSummary, live: LiveConfig): CapturedBodies {
  // Every secret Detour knows of goes, plus anything key-shaped.
  const known = [
    ...live.chain.providers.flatMap((p) => p.keys.map((k) => k.value)),
    ...(s.req.client.credential ? [s.req.client.credential.value] : []),
  ];
  const max = live.config.requestLog.debugBodyBytes;
  const head = s.responseHead?.() ?? null;
  // And every other stored secret (tokens, cloud credentials, header values), by value.
  const exact = (text: string) => live.secrets.redact(text);
  return {
    request: exact(
      redactBody(new TextDecoder().decode(s.req.raw.subarray(0, max + 8192)), max, known),
    ),
    response: head === null ? null : exact(redactBody(fromLatin1(head), max, known)),
  };
}

/** Queues the entry for `s`, with its bodies while `requestLog.debugBodiesUntil` lies ahead. */
export function requestLogSink(deps: Pick<Deps, "usage" | "live">, s: RequestSummary): void {
  const debugUntil = deps.live.config.requestLog.debugBodiesUntil;
  const capture = debugUntil !== undefined && Date.parse(debugUntil) > s.at;
  deps.usage.add({
    usage: null,
    quotaTargets: [],
    entry: requestLogEntry(s, capture),
    ...(capture ? { bodies: capturedBodies(s, deps.live) } : {}),
  });
}
