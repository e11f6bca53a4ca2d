/**
 * Which billing path an attempt spends: a Claude subscription, a paid API key, or a cloud
 * account. Logged per request and counted for the admin status, so a silent switch from
 * subscription to paid API usage shows.
 */
import type { Provider } from "../config/schema.ts";
import type { Attempt } from "../fallback/plan.ts";
import { targets } from "../fallback/targets.ts";
import { isOAuthToken } from "./anthropic.ts";
import { isSubscription } from "./claude_subscription.ts";

/** How a request was paid for. */
export type BillingPath = "subscription" | "api_key" | "aws_bedrock" | "google_vertex" | "none";

export const BILLING_PATHS: readonly BillingPath[] = [
  "subscription",
  "api_key",
  "aws_bedrock",
  "google_vertex",
  "none",
];

/** The billing path of one attempt (its provider and credential). */
export function billingPathOf(attempt: Attempt): BillingPath {
  const provider = attempt.provider;
  if (provider.type === "bedrock") return "aws_bedrock";
  if (provider.type === "vertex") return "google_vertex";
  if (isSubscription(provider)) return "subscription";
  const credential = attempt.credential;
  if (credential.kind === "none") return "none";
  return provider.type === "anthropic" && isOAuthToken(credential.value)
    ? "subscription"
    : "api_key";
}

/**
 * A provider's billing path as configured: `client` for passthrough providers, whose path
 * depends on each client's own credential (the request log says which).
 */
export function providerBilling(provider: Provider): BillingPath | "client" {
  if (provider.passthrough) return "client";
  if (provider.type === "bedrock") return "aws_bedrock";
  if (provider.type === "vertex") return "google_vertex";
  if (isSubscription(provider)) return "subscription";
  if (provider.keys.length === 0) return "none";
  return provider.type === "anthropic" && provider.keys.every(isOAuthToken)
    ? "subscription"
    : "api_key";
}

/** The status-count target for a billing path (counted like provider outcomes). */
export const billingTarget = (path: BillingPath): string => targets.billing(path);
