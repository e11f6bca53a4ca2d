/** GET /admin/api/usage/series: the dashboard's hourly series and timeline. */
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import * as z from "zod";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { SERIES_RANGES, usageSeries } from "../../lib/usage/series.ts";

const QuerySchema = z.object({
  range: z.enum(Object.keys(SERIES_RANGES) as [keyof typeof SERIES_RANGES]).default("24h"),
}).strict();

/** Mounts the dashboard API behind `guard` (the admin API's). */
export function usageRoutes(deps: Deps, guard: MiddlewareHandler<AppEnv>) {
  const app = new Hono<AppEnv>();
  app.use("/admin/api/usage/*", guard);
  app.get("/admin/api/usage/series", async (c) => {
    const parsed = QuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      return c.json({
        type: "error",
        error: {
          type: "invalid_request_error",
          message: `range must be one of ${Object.keys(SERIES_RANGES).join(", ")}`,
        },
      }, 400);
    }
    return c.json(await usageSeries(deps.kv, deps.live.chain, parsed.data.range));
  });
  return app;
}
