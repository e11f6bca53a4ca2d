/**
 * GET /metrics: this instance's Prometheus metrics (each instance reports its own). Needs
 * `Authorization: Bearer` with the admin token or METRICS_TOKEN; reads memory only, no KV.
 */
import { Hono } from "hono";
import { type AppEnv, type Deps, limitAddress } from "../lib/deps.ts";
import { timingSafeEqual } from "../lib/crypto.ts";
import { LoginThrottle } from "../lib/auth/login_throttle.ts";
import { gaugeLines } from "../lib/usage/ratelimit_view.ts";

/** Mounts GET /metrics. */
export function metricsRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Wrong tokens count against the same per-address lock as admin logins (one KV read a scrape).
  const throttle = new LoginThrottle(deps.kv);
  app.get("/metrics", async (c) => {
    const token = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const address = limitAddress(c, deps);
    if (token !== undefined) {
      const state = await throttle.check(address);
      if (state.locked) {
        const seconds = Math.max(1, Math.ceil(((state.until ?? Date.now()) - Date.now()) / 1000));
        return c.json(
          {
            type: "error",
            error: {
              type: "rate_limit_error",
              message: `too many wrong tokens; retry in ${seconds} s`,
            },
          },
          429,
          { "retry-after": String(seconds) },
        );
      }
    }
    const ok = token !== undefined &&
      ((deps.metricsToken !== undefined && await timingSafeEqual(token, deps.metricsToken)) ||
        await deps.adminToken.verify(token));
    if (!ok) {
      if (token !== undefined) await throttle.fail(address);
      return c.json(
        {
          type: "error",
          error: {
            type: "authentication_error",
            message: "send Authorization: Bearer <METRICS_TOKEN or ADMIN_TOKEN>",
          },
        },
        401,
        { "www-authenticate": "Bearer" },
      );
    }
    const cooling = deps.cooldowns.all();
    const text = deps.metrics.render({
      coolingTargets: cooling.size,
      gauges: gaugeLines(deps.ratelimits.all(), deps.ratelimits.clock()),
      kvQueues: { usage: deps.usage.queued, outcomes: deps.outcomes.queued },
      providers: deps.live.chain.providers.map((p) => {
        const q = deps.quotas.state(p.target);
        return {
          id: p.provider.id,
          cooling: cooling.has(p.target),
          circuit: deps.circuits.get(p.provider.id),
          quotaUsedRatio: q ? q.used / q.tokens : null,
          quotaExhausted: q?.exhausted ?? false,
        };
      }),
    });
    return c.text(text, 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "cache-control": "no-store",
    });
  });
  return app;
}
