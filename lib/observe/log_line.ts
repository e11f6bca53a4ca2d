/** The one structured log line per proxied request, listing every attempt. */
import type { Deps } from "../deps.ts";
import type { RequestSummary } from "./summary.ts";

/** Logs `s` at info level as `request` (no credential: labels and an access key's name). */
export function logLine(deps: Pick<Deps, "logger">, s: RequestSummary): void {
  deps.logger.info("request", {
    id: s.req.id,
    endpoint: s.route,
    model: s.req.model,
    stream: s.req.stream,
    status: s.status,
    servedBy: s.servedBy,
    billing: s.billing,
    accessKey: s.req.client.accessKey,
    end: s.end,
    ms: Math.round(s.ms),
    attempts: s.attempts,
  });
}
