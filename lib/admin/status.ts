/** The live state the admin API and page show: per provider and key, never a whole key. */
import { maskKey } from "../config/mask.ts";
import { clientPrefix } from "../fallback/targets.ts";
import { redactAll } from "../http/redact.ts";
import type { Deps } from "../deps.ts";
import { readHealth } from "../store/health_store.ts";
import { cloudStatus } from "../providers/cloud_status.ts";
import { usageReport } from "../usage/report.ts";
import { gaugeViews } from "../usage/ratelimit_view.ts";

/** Per provider and key: cooling until, last error, recent counts (masked keys only). */
export async function statusReport(deps: Deps) {
  const chain = deps.live.chain;
  const cooling = deps.cooldowns.all();
  const targets = chain.providers.flatMap((p) => [p.target, ...p.keys.map((k) => k.target)]);
  const [health, cloud] = await Promise.all([
    readHealth(deps.kv, targets),
    // Billing path per provider, subscription token health, requests per billing path.
    cloudStatus(deps.kv, chain.providers.map((p) => p.provider)),
  ]);
  const circuitOf = (id: string) => {
    const c = deps.circuits.get(id);
    const iso = (t: number | null) => t === null ? null : new Date(t).toISOString();
    return {
      state: c.state,
      failures: c.failures,
      openedAt: iso(c.openedAt),
      probeAfter: iso(c.probeAfter),
    };
  };
  // Tokens today and this hour per provider, key and model; quota standing and reset time.
  const usage = await usageReport(deps);
  // A lastError recorded before redaction by value (or by an older version) is
  // scrubbed on the way out too.
  const healthOf = (target: string) => {
    const h = health.get(target);
    return h?.lastError ? { ...h, lastError: redactAll(h.lastError, deps.live.secrets) } : h;
  };
  const coolingOf = (target: string) => {
    const cd = cooling.get(target);
    return cd ? { until: new Date(cd.until).toISOString(), reason: cd.reason } : null;
  };
  return {
    providers: chain.providers.map((p) => ({
      id: p.provider.id,
      name: p.provider.name ?? p.provider.id,
      type: p.provider.type,
      enabled: p.provider.enabled,
      passthrough: p.provider.passthrough,
      cooling: coolingOf(p.target),
      /** Circuit breaker: closed, degraded, open or half_open, with consecutive failures. */
      circuit: circuitOf(p.provider.id),
      // Passthrough credentials cool down one by one; only their count is shown.
      clientCredentialsCooling:
        [...cooling.keys()].filter((t) => t.startsWith(clientPrefix(p.provider.id))).length,
      ...healthOf(p.target),
      ...cloud.providers.get(p.provider.id),
      /** Token budget of this period: used, percent, threshold, resetsAt, exhausted (or null). */
      quota: deps.quotas.state(p.target),
      usage: usage.providers.get(p.provider.id) ?? null,
      keys: p.keys.map((k) => ({
        label: k.label,
        key: maskKey(k.value),
        cooling: coolingOf(k.target),
        quota: deps.quotas.state(k.target),
        usage: usage.keys.get(k.label) ?? null,
        ...healthOf(k.target),
      })),
    })),
    /** Requests each billing path (subscription, API key, Bedrock, Vertex) served in 24 hours. */
    billing: cloud.billing,
    /** Tokens per served model today and this hour (UTC). */
    models: usage.models,
    /** Rate-limit gauges per credential: 5-hour and weekly windows, resets, spill-over. */
    limits: gaugeViews(deps.ratelimits.all(), deps.live.config, deps.ratelimits.clock()),
  };
}

/** What GET /admin/api/status answers. */
export type StatusReport = Awaited<ReturnType<typeof statusReport>>;
