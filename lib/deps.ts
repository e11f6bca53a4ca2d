/** Everything the routes share, built once in main.ts (and by tests). */
import { throttleAddress } from "./auth/login_throttle.ts";
import { type ClientContext, providersClosedTo, resolveClient } from "./auth/client.ts";
import { clientAddress } from "./http/client_address.ts";
import type { AccessKeyIndex } from "./auth/access_key_index.ts";
import type { AdminToken } from "./auth/admin_token.ts";
import type { BodyBudget } from "./http/body.ts";
import type { LiveConfig } from "./config/live_config.ts";
import type { CircuitBoard } from "./fallback/circuit_board.ts";
import type { CooldownBoard } from "./fallback/cooldown_board.ts";
import type { Webhook } from "./notify/webhook.ts";
import type { Logger } from "./log.ts";
import type { OutcomeBuffer } from "./store/outcome_buffer.ts";
import type { Metrics } from "./usage/metrics.ts";
import type { QuotaBoard } from "./usage/quota_board.ts";
import type { RateLimitBoard } from "./usage/ratelimit_board.ts";
import type { UsageRecorder } from "./usage/recorder.ts";
import type { Adapters } from "./providers/adapters.ts";
import type { ConversationBook } from "./repair/conversation.ts";
import type { DeployProblem } from "./deploy_checks.ts";

/** The app's dependencies. */
export interface Deps {
  kv: Deno.Kv;
  live: LiveConfig;
  accessKeys: AccessKeyIndex;
  cooldowns: CooldownBoard;
  /** Circuit breakers per provider (memory mirror of KV). */
  circuits: CircuitBoard;
  /** The optional webhook for failover bursts and circuit openings. */
  webhook: Webhook;
  adminToken: AdminToken;
  logger: Logger;
  /** Attempt outcomes for the status page, written to KV in batches. */
  outcomes: OutcomeBuffer;
  /** Overridable for tests; defaults to the global fetch. Every upstream call goes through it. */
  fetch?: typeof fetch;
  /** This app's provider adapters and attempt pipeline (token caches and keepers included). */
  adapters: Adapters;
  /** Claude Code conversations: who produced each turn, where a failed-over one stays. */
  conversations: ConversationBook;
  /** Usage sums, quota spend and the request log, written to KV in batches. */
  usage: UsageRecorder;
  /** Token quotas per provider or key; the cooldown board consults it too. */
  quotas: QuotaBoard;
  /** The latest rate-limit gauges per credential (memory mirror of KV); spill-over reads it. */
  ratelimits: RateLimitBoard;
  /** This instance's Prometheus counters (GET /metrics). */
  metrics: Metrics;
  /** METRICS_TOKEN, when set: a Bearer token for GET /metrics besides the admin token. */
  metricsToken?: string;
  /** TRUST_PROXY_HOPS: trusted proxies appending to X-Forwarded-For (0: none). */
  trustProxyHops?: number;
  /** Request body bytes being received at once, across /v1 routes (boot builds it). */
  bodies?: BodyBudget;
  /** This instance's random id in `x-detour-hop` (lib/fallback/hop.ts). */
  hopId?: string;
  /** What boot found unsafe on Deno Deploy (no ADMIN_TOKEN, no lasting KV); empty elsewhere. */
  deployProblems?: DeployProblem[];
  /** The port Detour listens on, set once listening (refuses self-pointing configs). */
  listenPort?: number;
  /** Aborted when the shutdown grace is over: relayed streams end with an SSE error event. */
  shutdown?: AbortSignal;
}

/** Hono's environment: the Deno connection info arrives as the app's `env`. */
export type AppEnv = {
  /** Deno.serve's connection info; `requestId` when lib/app.ts hands a request to the admin app. */
  Bindings: { remoteAddr?: Deno.Addr; requestId?: string } | undefined;
  Variables: { requestId: string };
};

/** The address per-address limits key on: the peer, or X-Forwarded-For behind trusted proxies. */
export function limitAddress(
  c: { env: AppEnv["Bindings"]; req: { raw: Request } },
  deps: Pick<Deps, "trustProxyHops">,
): string {
  return throttleAddress(
    clientAddress(c.req.raw.headers, remoteHost(c.env), deps.trustProxyHops ?? 0),
  );
}

/** The peer's address, when the runtime knows it. */
export function remoteHost(env: AppEnv["Bindings"]): string | null {
  const addr = env?.remoteAddr;
  return addr && "hostname" in addr ? addr.hostname : null;
}

/**
 * The caller of a proxy route as its headers show it, and, when no enabled provider would take
 * it, why each is closed: decided before a byte of the body is read.
 */
export async function callerOf(
  c: { env: AppEnv["Bindings"]; req: { raw: Request } },
  deps: Pick<Deps, "accessKeys" | "live">,
): Promise<{ client: ClientContext; closed: ReturnType<typeof providersClosedTo> }> {
  const config = deps.live.config;
  const client = await resolveClient(c.req.raw.headers, remoteHost(c.env), deps.accessKeys, config);
  return { client, closed: providersClosedTo(config.providers, client) };
}
