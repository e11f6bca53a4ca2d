/**
 * GET /admin/api/limits: the latest rate-limit gauges per credential (5-hour and weekly windows
 * of Claude subscriptions, an API key's per-minute ones), with their reset times and whether
 * spill-over holds the credential back. Credentials appear by label or short hash, never whole.
 */
import type { Hono } from "hono";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { gaugeViews } from "../../lib/usage/ratelimit_view.ts";

/** The gauges route. */
export function limitsRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.get("/admin/api/limits", (c) => {
    const board = deps.ratelimits;
    return c.json({
      credentials: gaugeViews(board.all(), deps.live.config, board.clock()),
    });
  });
}
