/**
 * Letting go of a request's body once its answer is committed. The body is held to resend it on
 * fallback; once an answer goes to the client there is no fallback, and a Claude Code stream
 * stays open for minutes: keeping its 100 kB body, the parsed object (several times that on the
 * heap) and any re-serialized copy for as long would cost the most memory per open stream.
 */
import type { Config } from "../config/schema.ts";
import type { InboundRequest } from "./inbound.ts";

const EMPTY = new Uint8Array(0);

/**
 * Drops `req`'s body bytes, parsed body and memo, keeping the first `keepBytes` (a copy) for the
 * request log's debug capture. Call only once nothing will send or repair the request again.
 */
export function releaseBody(req: InboundRequest, keepBytes: number): void {
  req.raw = keepBytes > 0 && req.raw.byteLength > 0
    ? req.raw.slice(0, Math.min(keepBytes, req.raw.byteLength))
    : EMPTY;
  req.json = {};
  req.memo = undefined;
}

/**
 * How much of a request body the request log's debug capture reads (0 while capture is off):
 * lib/observe/request_log.ts redacts the first `debugBodyBytes` + 8 KiB.
 */
export function debugCaptureBytes(config: Config, now: number): number {
  const { debugBodiesUntil, debugBodyBytes } = config.requestLog;
  return debugBodiesUntil !== undefined && Date.parse(debugBodiesUntil) > now
    ? debugBodyBytes + 8192
    : 0;
}
