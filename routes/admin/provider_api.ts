/** POST /admin/api/providers/:id/test and /reset: probe a provider, clear its cooldowns. */
import { selfLoopIssues } from "../../lib/fallback/hop.ts";
import { clientPrefix } from "../../lib/fallback/targets.ts";
import type { Hono } from "hono";
import * as z from "zod";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { probeProvider } from "../../lib/fallback/probe.ts";
import { apiError, pathOf } from "./api_errors.ts";

const TestSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  apiKey: z.string().min(1).max(4096).optional(),
}).strict();

/** Testing a provider and resetting its cooldowns. */
export function providerRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.post("/admin/api/providers/:id/test", async (c) => {
    const id = c.req.param("id");
    if (!deps.live.chain.providers.some((p) => p.provider.id === id)) {
      return apiError(c, 404, `no provider "${id}"`);
    }
    const raw = c.req.header("content-length") === "0" ? {} : await c.req.json().catch(() => ({}));
    const parsed = TestSchema.safeParse(raw);
    if (!parsed.success) {
      return apiError(
        c,
        400,
        "invalid test request",
        parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
      );
    }
    // A provider pointing at Detour's own address would loop.
    const loops = selfLoopIssues(
      deps.live.config.providers.filter((p) => p.id === id),
      deps.listenPort,
    );
    if (loops.length > 0) return apiError(c, 400, loops[0].message);
    return c.json(
      await probeProvider(deps.live.chain, id, {
        ...parsed.data,
        send: deps.adapters.send,
        secrets: deps.live.secrets,
      }),
    );
  });

  app.post("/admin/api/providers/:id/reset", async (c) => {
    const p = deps.live.chain.providers.find((p) => p.provider.id === c.req.param("id"));
    if (!p) return apiError(c, 404, `no provider "${c.req.param("id")}"`);
    const prefix = clientPrefix(p.provider.id);
    const targets = [
      p.target,
      ...p.keys.map((k) => k.target),
      ...[...deps.cooldowns.all().keys()].filter((t) => t.startsWith(prefix)),
    ];
    await Promise.all(targets.map((t) => deps.cooldowns.clear(t)));
    return c.json({ cleared: targets.length });
  });
}
