/**
 * CORS for /v1/*: browsers may call Detour only from the origins in the config's
 * `corsOrigins` (none by default; `*` allows any). Read per request, so a config edit applies
 * at once. A preflight from an allowed origin gets 204 with the methods and the headers it
 * asked for; any other preflight gets 204 without CORS headers, which the browser refuses.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

/** Response headers a browser client may read. */
const EXPOSED = [
  "x-request-id",
  "x-detour-provider",
  "x-detour-attempts",
  "request-id",
  "retry-after",
  "x-detour-estimate",
].join(", ");

/** True when `origin` is allowed by `allowed`. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

/** The CORS middleware; `origins()` returns the current allow-list. */
export function cors(origins: () => readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && originAllowed(origin, origins());
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      const headers = new Headers({ vary: "Origin" });
      if (allowed) {
        headers.set("access-control-allow-origin", origin!);
        headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
        headers.set(
          "access-control-allow-headers",
          c.req.header("access-control-request-headers") ??
            "authorization, content-type, x-api-key, anthropic-version, anthropic-beta",
        );
        headers.set("access-control-max-age", "600");
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    if (!allowed) return;
    const set = (res: Response) => {
      res.headers.set("access-control-allow-origin", origin!);
      res.headers.set("access-control-expose-headers", EXPOSED);
      res.headers.append("vary", "Origin");
    };
    try {
      set(c.res);
    } catch {
      // Immutable headers: rebuild the response around them.
      c.res = new Response(c.res.body, c.res);
      set(c.res);
    }
  };
}
