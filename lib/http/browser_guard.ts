/**
 * Keeps web pages from using /v1/* behind their user's back. A page can make the browser send
 * a request to Detour on loopback without any preflight: a `no-cors` fetch or a form post, with
 * a `text/plain` or form body and an `Origin` header the page cannot suppress. So /v1/* refuses
 * a request whose `Origin` is not one the config's `corsOrigins` allows, a browser request
 * marked cross-site without an `Origin`, and a POST whose body is not declared JSON (every API
 * client sends `application/json`; a page cannot send that cross-site without a preflight,
 * which CORS then refuses). Runs after the CORS middleware, so allowed origins can read the
 * refusal.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { openAIErrorBody, openAIErrorType } from "../translate/anthropic_to_openai_response.ts";
import { originAllowed } from "./cors.ts";
import { anthropicError } from "./errors.ts";

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** An error in the format of the route asked for: OpenAI's for its entry, Anthropic's else. */
export function proxyRouteError(
  path: string,
  status: number,
  message: string,
  opts: { headers?: Record<string, string>; type?: string } = {},
): Response {
  const all = { "x-detour-provider": "none", ...opts.headers };
  if (path !== "/v1/chat/completions") {
    return anthropicError(status, message, { headers: all, type: opts.type });
  }
  const body = JSON.stringify(openAIErrorBody(message, opts.type ?? openAIErrorType(status)));
  return new Response(body, {
    status,
    headers: { ...all, "content-type": "application/json" },
  });
}

/** Why a browser must not make this request, or null when it may. */
export function browserRefusal(
  req: Request,
  corsOrigins: readonly string[],
): { status: number; message: string } | null {
  const origin = req.headers.get("origin");
  if (origin !== null && !originAllowed(origin, corsOrigins)) {
    return {
      status: 403,
      message: `Detour: requests from the browser origin "${
        origin.slice(0, 100)
      }" are not allowed; add it to corsOrigins in the config to allow that site`,
    };
  }
  const site = req.headers.get("sec-fetch-site");
  if (origin === null && (site === "cross-site" || site === "same-site")) {
    return {
      status: 403,
      message: "Detour: cross-site browser requests without an Origin are not allowed " +
        "(list the calling site in corsOrigins and use fetch with CORS)",
    };
  }
  if (req.method === "POST" && !JSON_TYPE.test(req.headers.get("content-type") ?? "")) {
    return {
      status: 415,
      message: "Detour: the request body must be JSON, sent with content-type: application/json",
    };
  }
  return null;
}

/** The /v1/* middleware; `origins()` returns the current `corsOrigins`. */
export function browserGuard(origins: () => readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Preflights are the CORS middleware's business (it answers them before this runs).
    const refusal = c.req.method === "OPTIONS" ? null : browserRefusal(c.req.raw, origins());
    if (refusal === null) return await next();
    const type = refusal.status === 415 ? "invalid_request_error" : undefined;
    return proxyRouteError(c.req.path, refusal.status, refusal.message, { type });
  };
}
