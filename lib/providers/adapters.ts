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
import { bedrockAdapter } from "./bedrock.ts";
import {
  type ClaudeOAuth,
  claudeSubscriptionAdapter,
  isSubscription,
} from "./claude_subscription.ts";
import type { GoogleTokens } from "./google_auth.ts";
import { vertexAdapter } from "./vertex.ts";
import type { ProviderAdapter } from "./types.ts";

/** What the adapters need from the app. */
export interface AdapterDeps extends RepairEnv {
  /** The innermost step of every attempt, and of model lists. */
  fetch: typeof fetch;
  /** The Claude subscription token keeper. */
  oauth: ClaudeOAuth;
  google: GoogleTokens;
  /** This instance's hop id: every upstream request carries it, so a loop back is refused. */
  hopId?: string;
}

/** The app's adapters and the composed attempt pipeline per adapter. */
export interface Adapters {
  /** The adapter for a provider (its type, or a Claude subscription). */
  adapterFor(provider: Provider): ProviderAdapter;
  /** Sends one attempt through its provider's pipeline: an Anthropic-wire answer. */
  send: Send;
}

/** The adapter's translation as an interceptor: everything outside it sees the Anthropic wire. */
function toAnthropicStep(adapter: ProviderAdapter): Interceptor {
  return async (call, next) => adapter.toAnthropic(await next(), call.req, call.attempt, call);
}

/**
 * One attempt, outermost first: the conversation record, the adapter's translation, the repair
 * step (with its thinking-signature retry), the adapter's own retries, then `prepare` and fetch.
 */
function pipeline(adapter: ProviderAdapter, deps: AdapterDeps): Send {
  const doFetch = deps.fetch;
  return compose([
    recordConversation(deps),
    toAnthropicStep(adapter),
    repairStep(deps),
    ...adapter.interceptors ?? [],
  ], async (call) => {
    const request = await adapter.prepare(call);
    // An adapter may answer an attempt locally (its `prepare` returns a Response): no fetch.
    if (request instanceof Response) return request;
    return doFetch(markHop(request, call.req.headers, deps.hopId));
  });
}

/** Creates the app's adapters. */
export function createAdapters(deps: AdapterDeps): Adapters {
  // Model lists carry the hop header too (attempts get it in `pipeline`).
  const listFetch = hopFetch(deps.fetch, deps.hopId);
  const byType: Record<Provider["type"], ProviderAdapter> = {
    anthropic: anthropicAdapter(listFetch),
    bedrock: bedrockAdapter,
    vertex: vertexAdapter(deps.google),
    openai: openaiAdapter({ ...deps, fetch: listFetch }),
  };
  const sendByType = Object.fromEntries(
    Object.entries(byType).map(([type, adapter]) => [type, pipeline(adapter, deps)]),
  ) as Record<Provider["type"], Send>;
  const subscription = claudeSubscriptionAdapter(deps.oauth, listFetch);
  const sendSubscription = pipeline(subscription, deps);
  // A Claude subscription with OAuth credentials is Anthropic's API with a refreshing token.
  return {
    adapterFor: (provider) => isSubscription(provider) ? subscription : byType[provider.type],
    send: (call) =>
      isSubscription(call.attempt.provider)
        ? sendSubscription(call)
        : sendByType[call.attempt.provider.type](call),
  };
}
