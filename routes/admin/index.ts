/**
 * The admin area as one app: its API (session or Bearer token) and its pages, with the security
 * headers on all of it. lib/app.ts imports this module on the first request under /admin, so a
 * proxy that is never administered never loads it (cold start, docs/performance.md).
 */
import { Hono } from "hono";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { adminApiGuard } from "../../lib/auth/admin_guard.ts";
import { LoginThrottle } from "../../lib/auth/login_throttle.ts";
import { AdminSessions } from "../../lib/auth/session.ts";
import { adminSecurityHeaders } from "../../lib/http/admin_headers.ts";
import { adminApiRoutes } from "./api.ts";
import { adminPageRoutes } from "./pages.tsx";
import { requestLogRoutes } from "./requests.ts";
import { usageRoutes } from "./usage.ts";

/** The admin API and pages. */
export function adminRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sessions = new AdminSessions(deps.kv, deps.adminToken);
  app.use("/admin", adminSecurityHeaders);
  app.use("/admin/*", adminSecurityHeaders);
  const adminGuard = adminApiGuard(deps, sessions);
  app.route("/", requestLogRoutes(deps, adminGuard));
  app.route("/", usageRoutes(deps, adminGuard));
  app.route("/", adminApiRoutes(deps, adminGuard));
  app.route("/", adminPageRoutes(deps, { sessions, throttle: new LoginThrottle(deps.kv) }));
  return app;
}
