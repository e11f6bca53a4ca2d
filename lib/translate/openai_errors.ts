/** OpenAI-style upstream errors in Anthropic's terms: the error type and the message text. */
import { obj, str } from "../json_shape.ts";

/** An Anthropic error type for an upstream error's HTTP status and OpenAI-style code/type. */
export function anthropicErrorType(status: number | undefined, code?: unknown, type?: unknown) {
  const hint = `${typeof code === "string" ? code : ""} ${typeof type === "string" ? type : ""}`;
  if (/rate.?limit|quota|too.?many|resource.?exhausted/i.test(hint)) return "rate_limit_error";
  if (/overload|capacity|unavailable/i.test(hint)) return "overloaded_error";
  if (/timeout|timed.?out|deadline.?exceeded/i.test(hint)) return "timeout_error";
  if (/not.?found/i.test(hint)) return "not_found_error";
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

/**
 * The error object of a parsed error body. Gemini's OpenAI-compatible endpoint answers some
 * errors as an array (`[{"error": {"code": 400, "message": "…", "status": "INVALID_ARGUMENT"}}]`,
 * the Google API error shape of https://cloud.google.com/apis/design/errors in a list): its first
 * entry with an `error` stands for the whole.
 */
export function errorBodyOf(parsed: unknown): unknown {
  if (!Array.isArray(parsed)) return parsed;
  return parsed.find((e) => obj(e)?.error !== undefined) ?? parsed[0];
}

/** The upstream error's code and type hints: OpenAI's `code`/`type`, Google's `status`. */
export function errorHintsOf(parsed: unknown): { code?: unknown; type?: unknown } {
  const e = obj(obj(errorBodyOf(parsed))?.error);
  return { code: e?.code, type: e?.type ?? e?.status };
}

/** Message text of an OpenAI-style error body (`{error: {message}}`, `{message}`, `{error}`). */
export function errorMessageOf(body: unknown): string | undefined {
  const b = obj(errorBodyOf(body));
  const e = b?.error;
  if (typeof e === "string") return e;
  return str(obj(e)?.message) ?? str(b?.message) ?? str(b?.detail);
}
