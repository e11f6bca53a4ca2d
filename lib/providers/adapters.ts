/**
 * The app's provider adapters, one per provider type (later types register here), and the
 * interceptors every attempt runs through, created once per app (`createAdapters`) so no
 * adapter state outlives or crosses apps.
 */
import type { Provider } from "../config/schema.ts";
import { compose, type Interceptor, type Send } from "../fallback/interceptors.ts";
import { hopFetch, markHop } from "../fallback/hop.ts";
import { recordConversation, type RepairEnv, repairStep } from "../repair/wrap.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { openaiAdapter } from "./openai.ts";
import { AwsDefaultCredentials } from "./aws_default_credentials.ts";
import { profileStep } from "./profile_step.ts";
import { bedrockAdapter } from "./bedrock.ts";
import {
  type ClaudeOAuth,
  claudeSubscriptionAdapter,
  isSubscription,
} from "./claude_subscription.ts";
import type { GoogleTokens } from "./google_auth.ts";
import { vertexAdapter } from "./vertex.ts";
import type { ProviderAdapter } from "./types.ts";
import { type CloudIdentity, cloudIdentity } from "./cloud_identity.ts";
import type { GaugeSink } from "../usage/ratelimit_board.ts";
import { tapGauges } from "./gauge_tap.ts";

/** What the adapters need from the app. */
export interface AdapterDeps extends RepairEnv {
  /** The innermost step of every attempt, and of model lists. */
  fetch: typeof fetch;
  /** The Claude subscription token keeper. */
  oauth: ClaudeOAuth;
  google: GoogleTokens;
  /** Bedrock's default-chain credentials (default: a fresh keeper for this app). */
  aws?: AwsDefaultCredentials;
  /** This instance's hop id: every upstream request carries it, so a loop back is refused. */
  hopId?: string;
  /** Where Anthropic answers' rate-limit headers go (the app's gauge board). */
  gauges?: GaugeSink;
}

/** The app's adapters and the composed attempt pipeline per adapter. */
export interface Adapters {
  /** The adapter for a provider (its type, or a Claude subscription). */
  adapterFor(provider: Provider): ProviderAdapter;
  /** Sends one attempt through its provider's pipeline: an Anthropic-wire answer. */
  send: Send;
  /** Who a Bedrock or Vertex provider signs in as (lib/providers/cloud_identity.ts). */
  identity(provider: Provider): Promise<CloudIdentity>;
}

/** The adapter's translation as an interceptor: everything outside it sees the Anthropic wire. */
function toAnthropicStep(adapter: ProviderAdapter): Interceptor {
  return async (call, next) => adapter.toAnthropic(await next(), call.req, call.attempt, call);
}

/**
 * One attempt, outermost first: the conversation record, the adapter's translation, the repair
 * step (with its thinking-signature retry), the capability profile, the adapter's own retries,
 * then `prepare` and fetch.
 */
function pipeline(adapter: ProviderAdapter, deps: AdapterDeps, gauges?: GaugeSink): Send {
  const doFetch = deps.fetch;
  return compose([
    recordConversation(deps),
    toAnthropicStep(adapter),
    repairStep(deps),
    profileStep(deps.logger),
    ...adapter.interceptors ?? [],
  ], async (call) => {
    const request = await adapter.prepare(call);
    // An adapter may answer an attempt locally (its `prepare` returns a Response): no fetch.
    if (request instanceof Response) return request;
    const upstream = await doFetch(markHop(request, call.req.headers, deps.hopId));
    if (gauges) tapGauges(gauges, call, upstream);
    return upstream;
  });
}

/** Creates the app's adapters. */
export function createAdapters(deps: AdapterDeps): Adapters {
  // Model lists carry the hop header too (attempts get it in `pipeline`).
  const listFetch = hopFetch(deps.fetch, deps.hopId);
  const aws = deps.aws ?? new AwsDefaultCredentials();
  const byType: Record<Provider["type"], ProviderAdapter> = {
    anthropic: anthropicAdapter(listFetch),
    bedrock: bedrockAdapter(aws),
    vertex: vertexAdapter(deps.google),
    openai: openaiAdapter({ ...deps, fetch: listFetch }),
  };
  const sendByType = Object.fromEntries(
    // Only Anthropic's own API sends rate-limit gauges: other types skip the header reads.
    Object.entries(byType).map((
      [type, adapter],
    ) => [type, pipeline(adapter, deps, type === "anthropic" ? deps.gauges : undefined)]),
  ) as Record<Provider["type"], Send>;
  const subscription = claudeSubscriptionAdapter(deps.oauth, listFetch);
  const sendSubscription = pipeline(subscription, deps, deps.gauges);
  // A Claude subscription with OAuth credentials is Anthropic's API with a refreshing token.
  return {
    adapterFor: (provider) => isSubscription(provider) ? subscription : byType[provider.type],
    send: (call) =>
      isSubscription(call.attempt.provider)
        ? sendSubscription(call)
        : sendByType[call.attempt.provider.type](call),
    identity: (provider) =>
      cloudIdentity(provider, { aws, google: deps.google, fetch: deps.fetch }),
  };
}
