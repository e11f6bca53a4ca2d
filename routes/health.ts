/** GET / and GET /health: liveness for people and load balancers. */
import { Hono } from "hono";
import type { AppEnv, Deps } from "../lib/deps.ts";
import { clientPrefix } from "../lib/fallback/targets.ts";

/** A summary of the chain and what is cooling down. */
export function healthRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const enabledCount = () => deps.live.config.providers.filter((p) => p.enabled).length;

  app.get("/", (c) => c.text(`Detour is running: ${enabledCount()} provider(s) enabled.\n`));

  app.get("/health", (c) => {
    const cooling = deps.cooldowns.all();
    const circuits = deps.circuits.all();
    const providers = deps.live.chain.providers;
    return c.json({
      status: "ok",
      providers: providers.length,
      enabled: enabledCount(),
      coolingDown: providers.flatMap((p) => {
        const own = cooling.get(p.target);
        const keys = p.keys.filter((k) => cooling.has(k.target)).length;
        // Passthrough providers cool per client credential (by hash); only the count is shown.
        const prefix = clientPrefix(p.provider.id);
        const credentials = [...cooling.keys()].filter((t) => t.startsWith(prefix)).length;
        // A degraded, open or half-open circuit is listed too (closed ones are not news).
        const circuit = circuits.get(p.provider.id)?.state ?? "closed";
        if (!own && keys === 0 && credentials === 0 && circuit === "closed") return [];
        return [{
          id: p.provider.id,
          until: own ? new Date(own.until).toISOString() : null,
          keysCooling: keys,
          clientCredentialsCooling: credentials,
          circuit,
        }];
      }),
    });
  });
  return app;
}
