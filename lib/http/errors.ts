/** Anthropic-format error responses: the only error shape Detour's /v1 routes answer with. */

/** Anthropic's error type for an HTTP status, as its API uses them. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
    case 405:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** The JSON body of an Anthropic error. */
export function anthropicErrorBody(status: number, message: string, type?: string): string {
  return JSON.stringify({
    type: "error",
    error: { type: type ?? errorTypeForStatus(status), message },
  });
}

/** A complete Anthropic-format error response. */
export function anthropicError(
  status: number,
  message: string,
  init: { type?: string; headers?: HeadersInit } = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return new Response(anthropicErrorBody(status, message, init.type), { status, headers });
}

/** One SSE `error` event, as Anthropic ends a stream that fails after it started. */
export function sseErrorEvent(message: string, type = "api_error"): Uint8Array {
  const data = JSON.stringify({ type: "error", error: { type, message } });
  return new TextEncoder().encode(`event: error\ndata: ${data}\n\n`);
}
