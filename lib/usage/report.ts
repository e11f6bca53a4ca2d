/** Usage as the admin status shows it: today's and this hour's sums per provider, key and model. */
import type { Deps } from "../deps.ts";
import { readUsageBucket, type UsageCounts } from "../store/usage_store.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Today's and this hour's counts. */
export interface UsageWindow {
  today: UsageCounts;
  hour: UsageCounts;
}

const zero = (): UsageCounts => ({
  requests: 0,
  input: 0,
  output: 0,
  cache_read: 0,
  cache_write: 0,
});

/** Reads the current day's and hour's buckets (two KV list calls, eventual consistency). */
export async function usageReport(deps: Pick<Deps, "kv">, now = Date.now()) {
  const [day, hour] = await Promise.all([
    readUsageBucket(deps.kv, "d", Math.floor(now / DAY) * DAY),
    readUsageBucket(deps.kv, "h", Math.floor(now / HOUR) * HOUR),
  ]);
  const pick = (dim: string) => {
    const out = new Map<string, UsageWindow>();
    for (const [id, counts] of day) {
      if (!id.startsWith(`${dim}:`)) continue;
      out.set(id.slice(2), { today: counts, hour: hour.get(id) ?? zero() });
    }
    return out;
  };
  const models = pick("m");
  return {
    providers: pick("p"),
    keys: pick("k"),
    models: Object.fromEntries(models),
    dayStart: new Date(Math.floor(now / DAY) * DAY).toISOString(),
  };
}
