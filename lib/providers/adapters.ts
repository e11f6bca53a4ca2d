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
import { AwsDefaultCredentials } from "./aws_default_credentials.ts";
import { profileStep } from "./profile_step.ts";
import {
  type ClaudeOAuth,
  claudeSubscriptionAdapter,
  isSubscription,
} from "./claude_subscription.ts";
import type { GoogleTokens } from "./google_auth.ts";
import type { ProviderAdapter } from "./types.ts";
import type { CloudIdentity } from "./cloud_identity.ts";
import type { GaugeSink } from "../usage/ratelimit_board.ts";
import { tapGauges } from "./gauge_tap.ts";
import { type Once, once } from "../once.ts";

/** What the adapters need from the app. */
export interface AdapterDeps extends RepairEnv {
  /** The innermost step of every attempt, and of model lists. */
  fetch: typeof fetch;
  /** The Claude subscription token keeper. */
  oauth: ClaudeOAuth;
  /** Vertex's token keeper (default: one for this app, created with the first Vertex use). */
  google?: GoogleTokens;
  /** Bedrock's default-chain credentials (default: a fresh keeper for this app). */
  aws?: AwsDefaultCredentials;
  /** This instance's hop id: every upstream request carries it, so a loop back is refused. */
  hopId?: string;
  /** Where Anthropic answers' rate-limit headers go (the app's gauge board). */
  gauges?: GaugeSink;
}

/** The app's adapters and the composed attempt pipeline per adapter. */
export interface Adapters {
  /** The adapter for a provider (its type, or a Claude subscription), imported if need be. */
  adapterFor(provider: Provider): Promise<ProviderAdapter>;
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

/** Provider types whose adapter module is imported on first use, not at start (cold start). */
type LazyType = Exclude<Provider["type"], "anthropic">;

/** A loaded adapter and its composed pipeline. */
interface Loaded {
  adapter: ProviderAdapter;
  send: Send;
}

/** Creates the app's adapters. */
export function createAdapters(deps: AdapterDeps): Adapters {
  // Model lists carry the hop header too (attempts get it in `pipeline`).
  const listFetch = hopFetch(deps.fetch, deps.hopId);
  const aws = deps.aws ?? new AwsDefaultCredentials();
  const google =
    once(async () => deps.google ?? new (await import("./google_auth.ts")).GoogleTokens(deps.fetch))
      .get;
  // Anthropic's API (with a key or a Claude subscription) is loaded with the app: a chain that
  // starts there never waits for an import.
  const anthropic = anthropicAdapter(listFetch);
  const subscription = claudeSubscriptionAdapter(deps.oauth, listFetch);
  // Only Anthropic's own API sends rate-limit gauges: other types skip the header reads.
  const sendAnthropic = pipeline(anthropic, deps, deps.gauges);
  const sendSubscription = pipeline(subscription, deps, deps.gauges);
  // The translating and cloud adapters, with the translators, SigV4 and Google auth behind
  // them, were 15 of the ~190 modules imported at start (docs/performance.md, "Cold start"):
  // each is imported the first time a provider of its type is used.
  const make: Record<LazyType, () => Promise<ProviderAdapter>> = {
    openai: async () => (await import("./openai.ts")).openaiAdapter({ ...deps, fetch: listFetch }),
    bedrock: async () => (await import("./bedrock.ts")).bedrockAdapter(aws),
    vertex: async () => (await import("./vertex.ts")).vertexAdapter(await google()),
  };
  // Read synchronously per attempt: once loaded, an adapter costs a property read, no await.
  const loaded = {} as Record<LazyType, Once<Loaded>>;
  for (const type of Object.keys(make) as LazyType[]) {
    loaded[type] = once(async () => {
      const adapter = await make[type]();
      return { adapter, send: pipeline(adapter, deps) };
    });
  }
  // A Claude subscription is an `anthropic` provider, so it is never one of these.
  const lazyType = (provider: Provider): LazyType | null =>
    provider.type === "anthropic" ? null : provider.type;
  return {
    adapterFor: async (provider) => {
      const type = lazyType(provider);
      if (type === null) return isSubscription(provider) ? subscription : anthropic;
      return (await loaded[type].get()).adapter;
    },
    send: (call) => {
      const type = lazyType(call.attempt.provider);
      if (type === null) {
        return isSubscription(call.attempt.provider) ? sendSubscription(call) : sendAnthropic(call);
      }
      const ready = loaded[type].value;
      return ready ? ready.send(call) : loaded[type].get().then((l) => l.send(call));
    },
    identity: async (provider) => {
      const [{ cloudIdentity }, tokens] = await Promise.all([
        import("./cloud_identity.ts"),
        google(),
      ]);
      return cloudIdentity(provider, { aws, google: tokens, fetch: deps.fetch });
    },
  };
}
