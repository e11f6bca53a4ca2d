/** Builds the Hono app from its dependencies: middleware, then one route module per area. */
import { Hono } from "hono";
import type { AppEnv, Deps } from "./deps.ts";
import { anthropicError } from "./http/errors.ts";
import { requestId } from "./http/request_id.ts";
import { healthRoutes } from "../routes/health.ts";
import { messagesRoutes } from "../routes/v1/messages.ts";
import { modelsRoutes } from "../routes/v1/models.ts";
import { chatRoutes } from "../routes/v1/chat.ts";
import { cors } from "./http/cors.ts";
import { browserGuard } from "./http/browser_guard.ts";
import { refuseLoops } from "./fallback/hop.ts";
import { adminApiRoutes } from "../routes/admin/api.ts";
import { adminPageRoutes } from "../routes/admin/pages.tsx";
import { requestLogRoutes } from "../routes/admin/requests.ts";
import { usageRoutes } from "../routes/admin/usage.ts";
import { metricsRoutes } from "../routes/metrics.ts";
import { adminApiGuard } from "./auth/admin_guard.ts";
import { LoginThrottle } from "./auth/login_throttle.ts";
import { AdminSessions } from "./auth/session.ts";
import { adminSecurityHeaders } from "./http/admin_headers.ts";

/** Paths that exist, with the methods they take: anything else on them is a 405. */
const KNOWN: Record<string, string> = {
  "/v1/messages": "POST",
  "/v1/messages/count_tokens": "POST",
  "/v1/models": "GET",
  "/v1/chat/completions": "POST",
  "/health": "GET",
  "/metrics": "GET",
};

/** The whole HTTP app. */
export function buildApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId);
  app.use("/v1/*", cors(() => deps.live.config.corsOrigins));
  app.use("/v1/*", browserGuard(() => deps.live.config.corsOrigins));
  app.use("/v1/*", refuseLoops(() => deps.hopId)); // a provider pointing back at Detour
  app.route("/", healthRoutes(deps));
  app.route("/", messagesRoutes(deps));
  app.route("/", modelsRoutes(deps));
  app.route("/", chatRoutes(deps));
  app.route("/", metricsRoutes(deps));
  // The admin area: security headers on all of it; the API takes a session or a Bearer token.
  const sessions = new AdminSessions(deps.kv, deps.adminToken);
  app.use("/admin", adminSecurityHeaders);
  app.use("/admin/*", adminSecurityHeaders);
  const adminGuard = adminApiGuard(deps, sessions);
  app.route("/", requestLogRoutes(deps, adminGuard));
  app.route("/", usageRoutes(deps, adminGuard));
  app.route("/", adminApiRoutes(deps, adminGuard));
  app.route("/", adminPageRoutes(deps, { sessions, throttle: new LoginThrottle(deps.kv) }));

  for (const [path, method] of Object.entries(KNOWN)) {
    app.all(
      path,
      (c) =>
        anthropicError(405, `Detour: ${c.req.method} is not supported on ${path}; use ${method}`, {
          type: "invalid_request_error",
          headers: {
            allow: method,
            ...(path.startsWith("/v1/") ? { "x-detour-provider": "none" } : {}),
          },
        }),
    );
  }
  app.notFound((c) => {
    const headers = c.req.path.startsWith("/v1/") ? { "x-detour-provider": "none" } : undefined;
    return anthropicError(404, `Detour: no route for ${c.req.method} ${c.req.path}`, { headers });
  });
  app.onError((err, c) => {
    deps.logger.error("unhandled error", { id: c.get("requestId"), err: String(err) });
    return anthropicError(500, `Detour: internal error (request ${c.get("requestId")})`);
  });
  return app;
}
