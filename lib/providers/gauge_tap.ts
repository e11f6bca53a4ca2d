/**
 * Hands each Anthropic answer's headers to the rate-limit gauges (lib/usage/ratelimit_board.ts):
 * a passthrough client's own login, a stored Claude subscription, an API key. The raw upstream
 * answer's (retries included, before any translation); the board reads them when asked.
 */
import type { AttemptCall } from "../fallback/interceptors.ts";
import type { GaugeSink } from "../usage/ratelimit_board.ts";

/** Hex digits of a client credential's hash the page shows when no access key names it. */
const SHORT_HASH = 8;

/**
 * What the page calls the attempt's credential, never its value: a stored key's label, a
 * passthrough client's access-key label or the start of its credential's hash.
 */
export function credentialLabel(call: AttemptCall): string {
  const { attempt, req } = call;
  if (attempt.credential.kind !== "client") return attempt.label;
  const hash = req.client.credential?.hash.slice(0, SHORT_HASH) ?? "";
  return req.client.accessKey ? `${req.client.accessKey} (${hash})` : `client ${hash}`;
}

/** Feeds `upstream`'s headers to `sink` for the attempt's credential. */
export function tapGauges(sink: GaugeSink, call: AttemptCall, upstream: Response): void {
  const a = call.attempt;
  sink.observe(a.credential.target, a.provider.id, credentialLabel(call), upstream.headers);
}
