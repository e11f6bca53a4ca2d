/** Opens KV and assembles the dependencies from the environment: shared by main.ts and tests. */
import { AccessKeyIndex } from "./auth/access_key_index.ts";
import { AdminToken } from "./auth/admin_token.ts";
import { LiveConfig } from "./config/live_config.ts";
import { type Config, ConfigSchema } from "./config/schema.ts";
import { convertLegacyConfig, isLegacyConfig } from "./config/legacy.ts";
import { configIssues } from "./config/issues.ts";
import type { Env } from "./config/env.ts";
import { CooldownBoard } from "./fallback/cooldown_board.ts";
import { CircuitBoard } from "./fallback/circuit_board.ts";
import { isClientTarget } from "./fallback/targets.ts";
import { createLogger, type Logger, resolveLogFormat } from "./log.ts";
import { BodyBudget, bodyBudgetBytes } from "./http/body.ts";
import { Webhook } from "./notify/webhook.ts";
import { circuitEvent, cooldownEvent } from "./usage/timeline.ts";
import type { Deps } from "./deps.ts";
import { newHopId } from "./fallback/hop.ts";
import { ChangeFeed, type ChangeTopic, OwnWrites } from "./store/change_feed.ts";
import { OutcomeBuffer } from "./store/outcome_buffer.ts";
import { Metrics } from "./usage/metrics.ts";
import { QuotaBoard } from "./usage/quota_board.ts";
import { RateLimitBoard } from "./usage/ratelimit_board.ts";
import { UsageRecorder } from "./usage/recorder.ts";
import { ClaudeOAuth } from "./providers/claude_subscription.ts";
import { type AdapterDeps, type Adapters, createAdapters } from "./providers/adapters.ts";
import { ConversationBook } from "./repair/conversation.ts";
import { ConversationStore } from "./store/conversation_store.ts";
import {
  ADMIN_TOKEN_MISSING,
  type DeployProblem,
  KV_MISSING_KEY,
  kvMissing,
  kvProblemOf,
} from "./deploy_checks.ts";

/** How long a conversation's reasoning state stays in KV after its last answer. */
const CONVERSATION_TTL_MS = 24 * 3600_000;

/** Reads and validates CONFIG_FILE (Detour or claude-code-fallback format). */
export async function readConfigFile(path: string): Promise<Config> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(`CONFIG_FILE ${path}: ${err instanceof Error ? err.message : err}`);
  }
  const parsed = ConfigSchema.safeParse(isLegacyConfig(json) ? convertLegacyConfig(json) : json);
  if (!parsed.success) {
    const lines = configIssues(parsed.error).map((i) => `  ${i.path || "config"}: ${i.message}`);
    throw new Error(`CONFIG_FILE ${path} is not a valid config:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Secrets the environment holds, redacted by value like the config's. */
function envSecrets(env: Env): string[] {
  return [env.ADMIN_TOKEN, env.METRICS_TOKEN, ...env.ACCESS_KEYS].filter((v): v is string =>
    typeof v === "string"
  );
}

/**
 * Opens the KV database: Deno Deploy's own, or the local file at KV_PATH. On Deploy a failure
 * leaves Detour on an in-memory store (the proxy keeps serving; boot reports the problem).
 */
export async function openKv(
  env: Env,
  openDeployKv: () => Promise<Deno.Kv> = () => Deno.openKv(),
): Promise<Deno.Kv> {
  if (env.DENO_DEPLOYMENT_ID) {
    try {
      return await openDeployKv();
    } catch (err) {
      const problem = kvMissing(err);
      console.error(problem.message);
      // The stand-in store carries the reason, so boot reports it on /health and the page.
      const memory = await Deno.openKv(":memory:");
      await memory.set(KV_MISSING_KEY, problem.message);
      return memory;
    }
  }
  // A KV Connect URL (self-hosted denokv) and ":memory:" need no folder.
  if (env.KV_PATH !== ":memory:" && !/^https?:\/\//.test(env.KV_PATH)) {
    const dir = env.KV_PATH.replace(/[/\\][^/\\]*$/, "");
    if (dir && dir !== env.KV_PATH) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(env.KV_PATH);
}

/**
 * How often the change feed reads the version keys itself: every second on a local KV file
 * (which other processes may share, and whose watch does not see their writes), else once a
 * minute as a safety net behind `kv.watch` (Deno Deploy, a self-hosted denokv, `:memory:`).
 */
export function changePollMs(env: Env): number {
  const file = !env.DENO_DEPLOYMENT_ID && env.KV_PATH !== ":memory:" &&
    !/^https?:\/\//.test(env.KV_PATH);
  return file ? 1000 : 60_000;
}

/** Keeps config, access keys, cooldowns and circuits fresh from KV; returns how to stop. */
async function followChanges(
  kv: Deno.Kv,
  baseline: Deno.KvEntryMaybe<unknown>[],
  pollMs: number,
  mirrors: {
    live: LiveConfig;
    accessKeys: AccessKeyIndex;
    cooldowns: CooldownBoard;
    circuits: CircuitBoard;
  },
  logger: Logger,
): Promise<() => Promise<void>> {
  const { live, accessKeys, cooldowns, circuits } = mirrors;
  const reload = (topics: Set<ChangeTopic>) =>
    Promise.all([
      topics.has("config") ? live.reload() : null,
      topics.has("accessKeys") ? accessKeys.reload(kv) : null,
      topics.has("cooldowns") ? cooldowns.sync() : null,
      topics.has("circuits") ? circuits.sync() : null,
    ]).catch((err) => logger.warn("reloading a change failed", { err: String(err) }));
  // Cooldowns written here are already in this mirror: only other writers' changes are re-read.
  const own = new OwnWrites();
  cooldowns.onOwnWrite = (ok) => ok === false ? own.failed("cooldowns") : own.note("cooldowns");
  const feed = new ChangeFeed(kv, (topics) => void reload(topics), { pollMs, own });
  await feed.start(baseline);
  return () => feed.stop();
}

/**
 * The app's adapters, with their own token keepers (Claude subscription tokens go to `kv`; the
 * Google one is created with the first Vertex use).
 */
function appAdapters(deps: Omit<AdapterDeps, "oauth" | "google"> & { kv: Deno.Kv }): Adapters {
  const { kv, logger } = deps;
  return createAdapters({
    ...deps,
    oauth: new ClaudeOAuth(kv, { fetch: deps.fetch, log: (msg, f) => logger.info(msg, f) }),
  });
}

/** The logger and the live config; every log line loses the config's secrets by value. */
async function openLoggerAndConfig(
  env: Env,
  kv: Deno.Kv,
  writeLog?: (line: string) => void,
): Promise<{ logger: Logger; live: LiveConfig }> {
  // Tests collect lines (JSON unless LOG_FORMAT says otherwise); stdout gets pretty on a terminal.
  const format = writeLog ? env.LOG_FORMAT ?? "json" : resolveLogFormat(env.LOG_FORMAT);
  // Until the config is loaded there are no stored secrets to redact (the patterns still apply).
  let redact = (line: string) => line;
  const logger = createLogger(env.LOG_LEVEL, writeLog, format, undefined, (l) => redact(l));
  const seed = env.CONFIG_FILE ? await readConfigFile(env.CONFIG_FILE) : null;
  const live = await LiveConfig.open(kv, seed, logger.warn);
  live.alsoRedact(envSecrets(env));
  redact = (line) => live.secrets.redact(line);
  return { logger, live };
}

/**
 * The admin token and, on Deno Deploy, what is unsafe there: no ADMIN_TOKEN (nothing is
 * generated or printed), or no KV database (Detour then runs on an in-memory store).
 */
async function deployChecked(
  env: Env,
  kv: Deno.Kv,
  announceAdminToken: (token: string) => void,
  logger: Logger,
): Promise<{ adminToken: AdminToken; deployProblems: DeployProblem[] }> {
  if (!env.DENO_DEPLOYMENT_ID) {
    return {
      adminToken: await AdminToken.init(kv, env.ADMIN_TOKEN, announceAdminToken),
      deployProblems: [],
    };
  }
  const problems: DeployProblem[] = [];
  const kvProblem = await kvProblemOf(kv);
  if (kvProblem) problems.push(kvProblem);
  let adminToken: AdminToken;
  if (env.ADMIN_TOKEN) adminToken = await AdminToken.init(kv, env.ADMIN_TOKEN, () => {});
  else {
    adminToken = AdminToken.unset(ADMIN_TOKEN_MISSING);
    problems.push({ code: "admin_token_missing", message: ADMIN_TOKEN_MISSING });
  }
  for (const p of problems) {
    logger.error("unsafe on Deno Deploy", { problem: p.code, fix: p.message });
  }
  return { adminToken, deployProblems: problems };
}

/** The rate-limit gauges; a 5-hour or weekly window reaching the webhook's threshold tells it. */
async function gaugeBoard(kv: Deno.Kv, live: LiveConfig, webhook: Webhook, logger: Logger) {
  const board = new RateLimitBoard(kv, {
    onError: (err) => logger.warn("writing rate-limit gauges failed", { err: String(err) }),
  });
  board.notifyAt = () => live.config.webhook?.limitThreshold;
  board.onCross = (c) => webhook.limitReached(c);
  await board.sync();
  return board;
}

/** The circuit breakers; each transition is logged, put on the timeline, and an opening told. */
function circuitBoard(
  kv: Deno.Kv,
  live: LiveConfig,
  logger: Logger,
  webhook: Webhook,
  usage: UsageRecorder,
): CircuitBoard {
  return new CircuitBoard(kv, {
    config: () => live.config,
    onTransition: (t) => {
      const log = t.to === "open" || t.to === "degraded" ? logger.warn : logger.info;
      log("circuit", { provider: t.provider, from: t.from, to: t.to, failures: t.failures });
      if (t.to === "open") webhook.circuitOpened(t.provider, t.failures);
      usage.event(circuitEvent(t));
    },
  });
}

/** The conversation record: memory in front of KV, its failures logged (never the request's). */
function conversationBook(kv: Deno.Kv, logger: Logger): ConversationBook {
  return new ConversationBook({
    store: new ConversationStore(kv, {
      ttlMs: CONVERSATION_TTL_MS,
      onError: (err) => logger.warn("writing the conversation record failed", { err: String(err) }),
    }),
    onError: (err) => logger.warn("reading the conversation record failed", { err: String(err) }),
  });
}

/** The batched KV writers; what KV refuses is retried, and what their bound drops is logged. */
function batchedWriters(kv: Deno.Kv, live: LiveConfig, quotas: QuotaBoard, logger: Logger) {
  const failed = (what: string) => (err: unknown) =>
    logger.warn(`writing ${what} failed; will retry`, { err: String(err) });
  const dropped = (what: string) => (groups: number, mutations: number) =>
    logger.error(`KV retry queue full: dropped the oldest ${what} writes`, { groups, mutations });
  return {
    usage: new UsageRecorder(kv, () => live.config, quotas, {
      onError: failed("usage"),
      onDrop: dropped("usage and request-log"),
    }),
    outcomes: new OutcomeBuffer(kv, { onError: failed("outcomes"), onDrop: dropped("outcome") }),
  };
}

/** What boot hands main.ts besides the deps: ending streams and background work at shutdown. */
export interface Lifecycle {
  /** Ends every relayed stream with an SSE error event (aborts `deps.shutdown`). */
  endStreams(): void;
  /** Stops background work and flushes every batched KV writer. */
  close(): Promise<void>;
}

/** Everything the app needs, plus `endStreams` and `close` for shutting down. */
export async function boot(
  env: Env,
  kv: Deno.Kv,
  announceAdminToken: (token: string) => void,
  /** Where log lines go (stdout by default; tests collect them). */
  writeLog?: (line: string) => void,
): Promise<Deps & Lifecycle> {
  // Versions first, mirrors next: a change made while they load is reloaded, not missed.
  const baseline = await ChangeFeed.versions(kv);
  const { logger, live } = await openLoggerAndConfig(env, kv, writeLog);
  const accessKeys = await AccessKeyIndex.fromEnv(env.ACCESS_KEYS);
  const cooldowns = new CooldownBoard(kv);
  // Quota-exhausted providers and keys read as cooling until their period resets.
  const quotas = new QuotaBoard(kv, () => live.chain);
  cooldowns.alsoCooling = quotas;
  const { usage, outcomes } = batchedWriters(kv, live, quotas, logger);
  // Provider and stored-key cooldowns and circuit changes go on the dashboard's timeline; one
  // client's own credential cooling down (client targets) is that client's affair, not an event.
  cooldowns.onStart = (target, cooldown) => {
    if (!isClientTarget(target)) usage.event(cooldownEvent(live.chain, target, cooldown));
  };
  const webhook = new Webhook({ config: () => live.config, logger });
  const circuits = circuitBoard(kv, live, logger, webhook, usage);
  // The mirrors read disjoint keys: one round of parallel KV reads instead of one after another.
  const [gauges, { adminToken, deployProblems }] = await Promise.all([
    gaugeBoard(kv, live, webhook, logger),
    deployChecked(env, kv, announceAdminToken, logger),
    accessKeys.reload(kv),
    cooldowns.sync(),
    circuits.sync(),
  ]);

  const mirrors = { live, accessKeys, cooldowns, circuits };
  const stopFollowing = await followChanges(kv, baseline, changePollMs(env), mirrors, logger);
  const conversations = conversationBook(kv, logger);
  // Every upstream call (attempts, model lists, token endpoints) goes through `deps.fetch`, read
  // per call so a test may set it after boot.
  const upstreamFetch: typeof fetch = (input, init) => (deps.fetch ?? fetch)(input, init);
  // This instance's id in `x-detour-hop`: a request carrying it has come round in a loop.
  const hopId = newHopId();
  const shutdown = new AbortController();
  const deps: Deps & Lifecycle = {
    kv,
    live,
    accessKeys,
    cooldowns,
    circuits,
    webhook,
    adminToken,
    logger,
    outcomes,
    usage,
    quotas,
    ratelimits: gauges,
    metrics: new Metrics(),
    metricsToken: env.METRICS_TOKEN,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    bodies: new BodyBudget(() => bodyBudgetBytes(live.config.bodyLimitBytes)),
    hopId,
    deployProblems,
    listenPort: env.PORT,
    conversations,
    adapters: appAdapters({ fetch: upstreamFetch, kv, logger, live, conversations, hopId, gauges }),
    shutdown: shutdown.signal,
    endStreams: () => shutdown.abort(),
    async close() {
      await stopFollowing();
      await outcomes.flush();
      await conversations.flush();
      await usage.flush();
      await Promise.all([circuits.flush(), webhook.flush(), gauges.flush()]);
    },
  };
  return deps;
}
