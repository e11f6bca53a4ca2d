/** Builds the Hono app from its dependencies: middleware, then one route module per area. */
import { type Context, Hono } from "hono";
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
import { metricsRoutes } from "../routes/metrics.ts";
import { once } from "./once.ts";

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
  // The admin area (API and pages, and all they import) is loaded by its first request.
  const admin = lazyApp(deps, () => import("../routes/admin/index.ts").then((m) => m.adminRoutes));
  app.all("/admin", admin);
  app.all("/admin/*", admin);

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
  settle(app, deps);
  return app;
}

/** The 404 and 500 answers of the app, and of the admin app loaded into it. */
function settle(app: Hono<AppEnv>, deps: Deps): void {
  app.notFound((c) => {
    const headers = c.req.path.startsWith("/v1/") ? { "x-detour-provider": "none" } : undefined;
    return anthropicError(404, `Detour: no route for ${c.req.method} ${c.req.path}`, { headers });
  });
  app.onError((err, c) => {
    deps.logger.error("unhandled error", { id: c.get("requestId"), err: String(err) });
    return anthropicError(500, `Detour: internal error (request ${c.get("requestId")})`);
  });
}

/**
 * A handler that imports an app on its first request (later ones wait only if it is still
 * loading) and hands it every request it gets, with the request id already given. Hono's
 * router cannot take routes once it has matched a request, so the routes live in their own app.
 */
function lazyApp(
  deps: Deps,
  load: () => Promise<(deps: Deps) => Hono<AppEnv>>,
): (c: Context<AppEnv>) => Promise<Response> {
  const sub = once(async () => {
    const app = new Hono<AppEnv>();
    // The request id the outer app gave, so logs and answers name the same request.
    app.use((c, next) => {
      c.set("requestId", c.env?.requestId ?? "");
      return next();
    });
    app.route("/", (await load())(deps));
    settle(app, deps);
    return app;
  });
  return async (c) => {
    const app = sub.value ?? await sub.get();
    // `remoteAddr` is a getter on Deno.serve's info: a spread would drop it.
    return app.fetch(c.req.raw, { remoteAddr: c.env?.remoteAddr, requestId: c.get("requestId") });
  };
}
