/**
 * The admin JSON API: config, status, provider test, access keys. Bearer ADMIN_TOKEN. Each
 * group of routes lives in its own module; this one adds the guard and the body limit.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { accessKeyRoutes } from "./access_key_api.ts";
import { apiError, kvTrouble } from "./api_errors.ts";
import { configExportRoutes, configRoutes } from "./config_api.ts";
import { identityRoutes } from "./identity_api.ts";
import { providerRoutes } from "./provider_api.ts";
import { statusRoutes } from "./status_api.ts";
import { limitsRoutes } from "./limits_api.ts";

/** Requires `Authorization: Bearer <ADMIN_TOKEN>` (the page adds a cookie session on top). */
export function requireAdmin(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i);
    if (!(await deps.adminToken.verify(match?.[1]?.trim()))) {
      return apiError(c, 401, "admin token required: Authorization: Bearer <ADMIN_TOKEN>");
    }
    await next();
  };
}

/** Mounts the admin API under /admin/api. */
export function adminApiRoutes(deps: Deps, guard: MiddlewareHandler<AppEnv> = requireAdmin(deps)) {
  const app = new Hono<AppEnv>();
  app.use("/admin/api/*", kvTrouble);
  app.use("/admin/api/*", guard);
  // A config is at most ~60 KiB; nothing an admin sends needs more than this.
  app.use(
    "/admin/api/*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => apiError(c, 413, "the request body is larger than 1 MiB"),
    }),
  );

  configRoutes(app, deps);
  configExportRoutes(app, deps);
  statusRoutes(app, deps);
  providerRoutes(app, deps);
  identityRoutes(app, deps);
  accessKeyRoutes(app, deps);
  limitsRoutes(app, deps);

  return app;
}
