/** GET /admin/api/status: the live state of every provider and key (never a whole key). */
import type { Hono } from "hono";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { statusReport } from "../../lib/admin/status.ts";

/** The status report. */
export function statusRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.get("/admin/api/status", async (c) => c.json(await statusReport(deps)));
}
