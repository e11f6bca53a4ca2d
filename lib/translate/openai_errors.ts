/** OpenAI-style upstream errors in Anthropic's terms: the error type and the message text. */
import { obj, str } from "../json_shape.ts";

/** An Anthropic error type for an upstream error's HTTP status and OpenAI-style code/type. */
export function anthropicErrorType(status: number | undefined, code?: unknown, type?: unknown) {
  const hint = `${typeof code === "string" ? code : ""} ${typeof type === "string" ? type : ""}`;
  if (/rate.?limit|quota|too.?many/i.test(hint)) return "rate_limit_error";
  if (/overload|capacity|unavailable/i.test(hint)) return "overloaded_error";
  if (/timeout|timed.?out/i.test(hint)) return "timeout_error";
  if (/auth|api.?key/i.test(hint)) return "authentication_error";
  if (/permission|forbidden/i.test(hint)) return "permission_error";
  if (/context.?length|invalid|bad.?request/i.test(hint)) return "invalid_request_error";
  const s = status ?? (typeof code === "number" ? code : undefined);
  switch (s) {
    case 400:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** Message text of an OpenAI-style error body (`{error: {message}}`, `{message}`, `{error}`). */
export function errorMessageOf(body: unknown): string | undefined {
  const b = obj(body);
  const e = b?.error;
  if (typeof e === "string") return e;
  return str(obj(e)?.message) ?? str(b?.message) ?? str(b?.detail);
}
