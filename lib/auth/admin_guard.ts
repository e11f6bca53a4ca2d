/**
 * Who may use the admin JSON API: a script with `Authorization: Bearer <ADMIN_TOKEN>` (no CSRF
 * check: browsers never send that header on their own), or the admin page with a valid session
 * cookie, whose state-changing requests must also pass the CSRF checks.
 */
import type { Context, MiddlewareHandler } from "hono";
import { type AppEnv, type Deps, limitAddress } from "../deps.ts";
import { LoginThrottle } from "./login_throttle.ts";
import { CSRF_HEADER, SAFE_METHODS, sameOrigin } from "./csrf.ts";
import type { AdminSessions } from "./session.ts";

function refuse(c: Context, status: 401 | 403, message: string) {
  const type = status === 401 ? "authentication_error" : "permission_error";
  c.header("cache-control", "no-store");
  return c.json({ type: "error", error: { type, message } }, status);
}

/** The admin API guard: Bearer token, or session cookie plus CSRF checks. */
export function adminApiGuard(
  deps: Deps,
  sessions: AdminSessions,
  throttle = new LoginThrottle(deps.kv),
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (deps.adminToken.missing !== null) {
      // On Deno Deploy without ADMIN_TOKEN nobody can be admin: say what to set.
      c.header("cache-control", "no-store");
      const error = {
        type: "api_error",
        code: "admin_token_missing",
        message: deps.adminToken.missing,
      };
      return c.json({ type: "error", error }, 503);
    }
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      // Wrong tokens count against the same per-address limit as the login form.
      const address = limitAddress(c, deps);
      const state = await throttle.check(address);
      if (state.locked) {
        const seconds = Math.max(1, Math.ceil(((state.until ?? Date.now()) - Date.now()) / 1000));
        c.header("retry-after", String(seconds));
        c.header("cache-control", "no-store");
        return c.json({
          type: "error",
          error: {
            type: "rate_limit_error",
            message: `too many wrong admin tokens from this address; try again in ${seconds} s`,
          },
        }, 429);
      }
      const match = authorization.match(/^Bearer\s+(.+)$/i);
      if (!(await deps.adminToken.verify(match?.[1]?.trim()))) {
        await throttle.fail(address);
        deps.logger.warn("admin API token refused", { address });
        return refuse(c, 401, "admin token required: Authorization: Bearer <ADMIN_TOKEN>");
      }
      return await next();
    }
    const session = await sessions.fromRequest(c);
    if (!session) {
      return refuse(
        c,
        401,
        "log in at /admin/login, or send Authorization: Bearer <ADMIN_TOKEN>",
      );
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      if (!sameOrigin(c.req.raw, (deps.trustProxyHops ?? 0) > 0)) {
        return refuse(c, 403, "cross-site request refused (the Origin is not this site)");
      }
      if (!(await sessions.csrfValid(session, c.req.header(CSRF_HEADER)))) {
        return refuse(c, 403, "missing or wrong CSRF token: reload the admin page");
      }
    }
    c.header("cache-control", "no-store");
    await next();
  };
}
