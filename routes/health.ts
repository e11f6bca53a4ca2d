/**
 * GET / and GET /health: liveness for people and load balancers. `status` is "ok", or
 * "misconfigured" with `problems` when Deno Deploy lacks ADMIN_TOKEN or a KV database. Without a token /health says
 * only that Detour is up; which providers exist and which are cooling is for the operator:
 * `Authorization: Bearer` with the admin token (or METRICS_TOKEN) adds the details.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { type AppEnv, type Deps, limitAddress } from "../lib/deps.ts";
import { timingSafeEqual } from "../lib/crypto.ts";
import { LoginThrottle } from "../lib/auth/login_throttle.ts";
import { clientPrefix } from "../lib/fallback/targets.ts";

/** What is cooling down or tripped, per provider (the operator's view). */
function healthDetails(deps: Deps) {
  const cooling = deps.cooldowns.all();
  const circuits = deps.circuits.all();
  const providers = deps.live.chain.providers;
  return {
    providers: providers.length,
    enabled: providers.filter((p) => p.provider.enabled).length,
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
  };
}

/**
 * Whether the request's Bearer token is the admin token or METRICS_TOKEN: "none" without one,
 * "locked" while its address has failed too often. Wrong tokens count against the same
 * per-address lock as admin logins, so /health cannot be used to guess the admin token.
 */
async function operatorToken(
  c: Context<AppEnv>,
  deps: Deps,
  throttle: LoginThrottle,
): Promise<"none" | "ok" | "wrong" | "locked"> {
  const header = c.req.header("authorization");
  if (header === undefined) return "none";
  const address = limitAddress(c, deps);
  if ((await throttle.check(address)).locked) return "locked";
  const token = header.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const ok = token !== undefined &&
    ((deps.metricsToken !== undefined && await timingSafeEqual(token, deps.metricsToken)) ||
      await deps.adminToken.verify(token));
  if (ok) return "ok";
  await throttle.fail(address);
  return "wrong";
}

/** Mounts GET / and GET /health. */
export function healthRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const throttle = new LoginThrottle(deps.kv);
  const enabledCount = () => deps.live.config.providers.filter((p) => p.enabled).length;

  app.get("/", (c) => c.text(`Detour is running: ${enabledCount()} provider(s) enabled.\n`));
  // Claude Code's connection warm-up (HEAD /api/hello): an empty 200, no upstream call.
  app.get("/api/hello", (c) => c.body(null, 200, { "cache-control": "no-store" }));

  app.get("/health", async (c) => {
    c.header("cache-control", "no-store");
    // Unsafe on Deno Deploy (no ADMIN_TOKEN, no lasting KV): said to everyone, since the admin
    // page may be unreachable; the proxy itself keeps serving, hence still 200.
    const problems = deps.deployProblems ?? [];
    const state = problems.length ? { status: "misconfigured", problems } : { status: "ok" };
    const token = await operatorToken(c, deps, throttle);
    if (token === "none") return c.json(state);
    if (token === "ok") return c.json({ ...state, ...healthDetails(deps) });
    const type = token === "locked" ? "rate_limit_error" : "authentication_error";
    const message = token === "locked"
      ? "too many wrong tokens from this address; try again later"
      : "send Authorization: Bearer <ADMIN_TOKEN or METRICS_TOKEN> for details, or no token";
    return c.json({ type: "error", error: { type, message } }, token === "locked" ? 429 : 401);
  });
  return app;
}
