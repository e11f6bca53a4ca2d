/** GET /admin/api/requests (filtered, newest first) and GET /admin/api/requests/:id. */
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import * as z from "zod";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { getRequestLog, listRequestLog } from "../../lib/store/request_log_pages.ts";
import { kvTrouble } from "./api_errors.ts";

const time = z.string().trim().min(1).transform((v, ctx) => {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: "custom", message: "use an ISO time or milliseconds since 1970" });
    return z.NEVER;
  }
  return t;
});

const QuerySchema = z.object({
  provider: z.string().max(100).optional(),
  status: z.union([
    z.enum(["ok", "error"]),
    z.coerce.number().int().min(100).max(599),
  ]).optional(),
  model: z.string().max(200).optional(),
  since: time.optional(),
  until: time.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
}).strict();

/** Mounts the request-log API behind `guard` (the admin API's). */
export function requestLogRoutes(deps: Deps, guard: MiddlewareHandler<AppEnv>) {
  const app = new Hono<AppEnv>();
  app.use("/admin/api/requests", guard, kvTrouble);
  app.use("/admin/api/requests/*", guard, kvTrouble);
  app.get("/admin/api/requests", async (c) => {
    const parsed = QuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        path: i.path.join("."),
        message: i.message,
      }));
      return c.json({
        type: "error",
        error: { type: "invalid_request_error", message: "invalid filter", issues },
      }, 400);
    }
    const max = deps.live.config.requestLog.maxEntries;
    const requests = await listRequestLog(deps.kv, parsed.data, max);
    // No stored secret leaves in a logged error, whenever it was logged.
    return c.body(
      deps.live.secrets.redact(JSON.stringify({ requests, count: requests.length })),
      200,
      { "content-type": "application/json" },
    );
  });
  app.get("/admin/api/requests/:id", async (c) => {
    const id = c.req.param("id");
    const found = /^\d{13}-[0-9a-z]{4,}-[0-9a-f]{8}$/.test(id)
      ? await getRequestLog(deps.kv, id, deps.live.config.requestLog.maxEntries)
      : null;
    if (!found) {
      return c.json({
        type: "error",
        error: { type: "not_found_error", message: `no logged request ${id}` },
      }, 404);
    }
    // No stored secret leaves in a logged error or body, whenever it was logged.
    return c.body(
      deps.live.secrets.redact(JSON.stringify({ ...found.entry, bodies: found.bodies })),
      200,
      {
        "content-type": "application/json",
      },
    );
  });
  return app;
}
