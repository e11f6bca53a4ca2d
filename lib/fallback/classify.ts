/** The fallback decision: which answers send a request on, and how far the failure reaches. */

/** What to do with an upstream answer. */
export type Verdict = "ok" | "fallback" | "final";

/** `credential`: only this key (or client credential) is at fault; `provider`: all of it is. */
export type Scope = "credential" | "provider";

/** 2xx is ok; a status in `fallbackOn` falls back; anything else is the answer (a client error). */
export function classifyStatus(status: number, fallbackOn: readonly number[]): Verdict {
  if (status >= 200 && status < 300) return "ok";
  return fallbackOn.includes(status) ? "fallback" : "final";
}

/** Rate limits and refused credentials belong to the key; the rest to the provider. */
export function scopeOf(status: number): Scope {
  return status === 401 || status === 403 || status === 429 ? "credential" : "provider";
}

/** The HTTP status an Anthropic error type stands for, for errors that arrive inside a stream. */
export function statusForErrorType(type: string): number {
  switch (type) {
    case "overloaded_error":
      return 529;
    case "rate_limit_error":
      return 429;
    case "authentication_error":
      return 401;
    case "permission_error":
      return 403;
    case "timeout_error":
      return 504;
    case "invalid_request_error":
      return 400;
    case "not_found_error":
      return 404;
    case "request_too_large":
      return 413;
    default:
      return 500;
  }
}

/** How long (ms) a failed target stays out of the chain; 401/403 use the longer auth cooldown. */
export function cooldownMs(opts: {
  status: number | null;
  scope: Scope;
  retryAfterMs: number;
  cooldownSeconds: number;
  authCooldownSeconds: number;
}): number {
  if (opts.status === 401 || opts.status === 403) return opts.authCooldownSeconds * 1000;
  if (opts.cooldownSeconds === 0 && opts.retryAfterMs === 0) return 0;
  return Math.max(opts.retryAfterMs, opts.cooldownSeconds * 1000);
}

/** One decoder for every call: constructing one costs more than decoding a small answer. */
const utf8 = new TextDecoder();
/** A `content` array with something in it. */
const NON_EMPTY_CONTENT = /"content"\s*:\s*\[\s*[^\]\s]/;

/**
 * A Messages answer this small is checked for being no answer; anything larger holds content.
 * A refusal or an empty message is a few hundred bytes (ids, model, usage).
 */
export const UNANSWERED_MAX_BYTES = 16 * 1024;

/**
 * Whether a 200 JSON Messages answer is no answer at all: `refusal` (`stop_reason: "refusal"`
 * and no content block) or `empty` (not a message: unreadable, no `content` array, or no content
 * and no `stop_reason`). An empty `content` with another `stop_reason` is a legitimate answer:
 * Anthropic documents empty `end_turn` replies, typically right after tool results
 * (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons). Null: an answer.
 */
export function unansweredMessage(body: Uint8Array): "refusal" | "empty" | null {
  if (body.byteLength > UNANSWERED_MAX_BYTES) return null;
  // Most answers show a non-empty `content` array in their first bytes (Anthropic writes it right
  // after `model`): no need to parse them whole.
  if (NON_EMPTY_CONTENT.test(utf8.decode(body.subarray(0, 512)))) return null;
  let message: { content?: unknown; stop_reason?: unknown } | null;
  try {
    message = JSON.parse(utf8.decode(body));
  } catch {
    return "empty";
  }
  if (!message || typeof message !== "object" || !Array.isArray(message.content)) return "empty";
  if (message.content.length > 0) return null;
  if (message.stop_reason === "refusal") return "refusal";
  return typeof message.stop_reason === "string" ? null : "empty";
}
