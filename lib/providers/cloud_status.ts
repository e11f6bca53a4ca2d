/**
 * What the admin status adds for issue 5: each provider's billing path (subscription, API key,
 * cloud) and a Claude subscription's token health, plus how many requests each billing path
 * served in the last 24 hours — so a silent switch from subscription to paid API shows.
 */
import type { Provider } from "../config/schema.ts";
import { readHealth } from "../store/health_store.ts";
import { BILLING_PATHS, type BillingPath, billingTarget, providerBilling } from "./billing.ts";
import {
  isSubscription,
  type SubscriptionStatus,
  subscriptionStatus,
} from "./claude_subscription.ts";

/** Per provider: its billing path, and for a subscription its token state. */
export interface ProviderCloudStatus {
  billing: BillingPath | "client";
  subscription?: SubscriptionStatus;
}

/** Requests served per billing path. */
export type BillingCounts = Record<BillingPath, { served24h: number; lastServedAt: string | null }>;

/** The status additions for these providers. */
export async function cloudStatus(
  kv: Deno.Kv,
  providers: Provider[],
): Promise<{ providers: Map<string, ProviderCloudStatus>; billing: BillingCounts }> {
  const [health, subs] = await Promise.all([
    readHealth(kv, BILLING_PATHS.map(billingTarget)),
    Promise.all(
      providers.map(async (p) =>
        isSubscription(p) ? [p.id, await subscriptionStatus(kv, p)] as const : null
      ),
    ),
  ]);
  const subscriptions = new Map(subs.filter((s) => s !== null));
  const out = new Map<string, ProviderCloudStatus>();
  for (const p of providers) {
    const sub = subscriptions.get(p.id);
    out.set(p.id, { billing: providerBilling(p), ...(sub ? { subscription: sub } : {}) });
  }
  const billing = Object.fromEntries(BILLING_PATHS.map((path) => {
    const h = health.get(billingTarget(path));
    return [path, { served24h: h?.ok24h ?? 0, lastServedAt: h?.lastOkAt ?? null }];
  })) as BillingCounts;
  return { providers: out, billing };
}
