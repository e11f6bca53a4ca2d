/** Every Deno KV key Detour uses, in one place. Only lib/store imports this file. */

export const KV = {
  /** The whole config document: `{ config, updatedAt }`. */
  config: () => ["config"] as const,
  /** SHA-256 of the generated admin token (only when ADMIN_TOKEN is not set). */
  adminTokenHash: () => ["admin", "token_hash"] as const,
  /** A cooldown for one target (a provider, key or client credential: lib/fallback/targets.ts). */
  cooldown: (target: string) => ["cooldown", target] as const,
  cooldownPrefix: () => ["cooldown"] as const,
  /** A provider's circuit breaker: `{ state, failures, openedAt, probeAfter, updatedAt }`. */
  circuit: (providerId: string) => ["circuit", providerId] as const,
  circuitPrefix: () => ["circuit"] as const,
  /** An access key record by id, and the id by the key's hash. */
  accessKey: (id: string) => ["access_key", "by_id", id] as const,
  accessKeyPrefix: () => ["access_key", "by_id"] as const,
  accessKeyByHash: (hash: string) => ["access_key", "by_hash", hash] as const,
  /** Bumped on every access-key change so other instances reload their index. */
  accessKeysRevision: () => ["access_key", "revision"] as const,
  /** When a provider (or one of its keys) last answered well: an ISO time. */
  lastOk: (target: string) => ["health", target, "ok"] as const,
  /** Its last failure: `{ message, at }`. */
  lastError: (target: string) => ["health", target, "error"] as const,
  /** Hourly counters: ["count", target, hourStartMs, "ok" | "fail"] as KvU64 sums. */
  count: (target: string, hour: number, outcome: "ok" | "fail") =>
    ["count", target, hour, outcome] as const,
  countPrefix: (target: string) => ["count", target] as const,
  /**
   * A Claude subscription provider's live OAuth tokens (rotated by refreshes), apart from the
   * config document whose values only seed it: see lib/store/oauth_store.ts.
   */
  oauthTokens: (providerId: string) => ["oauth", "tokens", providerId] as const,
  /**
   * The latest rate-limit gauges one credential's answers carried (a cooldown target:
   * lib/fallback/targets.ts), shared by instances: see lib/store/ratelimit_store.ts.
   */
  rateLimit: (target: string) => ["ratelimit", target] as const,
  rateLimitPrefix: () => ["ratelimit"] as const,
  /** Random bytes the admin session cookies are signed with (created once, atomically). */
  sessionSecret: () => ["admin", "session_secret"] as const,
  /** A live admin session by the SHA-256 of its id (expires with the session; logout deletes it). */
  adminSession: (idHash: string) => ["admin", "session", idHash] as const,
  /** Failed admin logins from one client address: `{ count, lockedUntil }`, with expiry. */
  loginFailures: (address: string) => ["admin", "login_failures", address] as const,
  /**
   * Token usage sums (KvU64): ["usage", "h" | "d", bucketStartMs, "p" | "k" | "m", name, field]
   * per hour and per day, by provider, key label and served model; field is `requests`,
   * `input`, `output`, `cache_read` or `cache_write`. Hourly provider rows also hold a latency
   * histogram (`lat:<i>`, lib/usage/latency.ts); dimension "a" (name "all") counts every
   * request, fallback and error. Swept by time (sums cannot expire).
   */
  usage: (
    span: "h" | "d",
    bucket: number,
    dim: "p" | "k" | "m" | "a",
    name: string,
    field: string,
  ) => ["usage", span, bucket, dim, name, field] as const,
  usageSpan: (span: "h" | "d") => ["usage", span] as const,
  usageBucket: (span: "h" | "d", bucket: number) => ["usage", span, bucket] as const,
  usageDim: (span: "h" | "d", bucket: number, dim: "p" | "k" | "m" | "a") =>
    ["usage", span, bucket, dim] as const,
  /** Tokens a quota target spent in one period: ["quota", target, period, startMs] (KvU64). */
  quota: (target: string, period: string, start: number) =>
    ["quota", target, period, start] as const,
  quotaPrefix: () => ["quota"] as const,
  /**
   * A page of request-log entries, under the sequence number of its last entry (7 days;
   * lib/store/request_log_pages.ts).
   */
  requestLogPage: (lastSeq: number) => ["reqlog", "page", lastSeq] as const,
  requestLogPagePrefix: () => ["reqlog", "page"] as const,
  /** 2 once the log is stored in pages (an earlier version's log is packed first). */
  requestLogFormat: () => ["reqlog", "format"] as const,
  /** Marks a written chunk of the log by its newest entry's id (1 day), so a retry lands once. */
  requestLogLanded: (id: string) => ["reqlog", "landed", id] as const,
  /** An earlier version's request-log entry, a key each: read once to be packed into pages. */
  requestLog: (id: string) => ["reqlog", "entry", id] as const,
  requestLogPrefix: () => ["reqlog", "entry"] as const,
  /** The debug-captured (truncated, redacted) bodies of one logged request, when capture was on. */
  requestBodies: (id: string) => ["reqlog", "bodies", id] as const,
  /**
   * What one Claude Code conversation (lib/repair/conversation_key.ts) needs to continue on any
   * provider, with expiry: per assistant turn index ("t") its producer and reasoning, per tool-call
   * id ("c") its producer and Gemini thought signature (lib/store/conversation_store.ts).
   */
  conversationTurn: (conversation: string, index: number) =>
    ["conversation", conversation, "t", index] as const,
  conversationCall: (conversation: string, toolId: string) =>
    ["conversation", conversation, "c", toolId] as const,
  conversationPrefix: (conversation: string) => ["conversation", conversation] as const,
  /** A cooldown or circuit event for the dashboard timeline, by time-ordered id (7 days). */
  event: (id: string) => ["event", id] as const,
  eventPrefix: () => ["event"] as const,
  /**
   * Change counters (KvU64) bumped in the same atomic op as every cooldown or circuit write, so
   * other instances watch two small keys instead of listing those prefixes (lib/store/change_feed.ts).
   */
  cooldownsVersion: () => ["version", "cooldowns"] as const,
  circuitsVersion: () => ["version", "circuits"] as const,
  /** Marks a written batch group (1 day), so a retried group lands once (lib/store/kv_batch.ts). */
  batchMark: (id: string) => ["batch", id] as const,
  /** Request-log sequence (KvU64): how many entries were ever written, across instances. */
  requestLogSeq: () => ["reqlog", "seq"] as const,
  /** An earlier version's index of entry ids by sequence number: deleted when the log is packed. */
  requestLogBySeqPrefix: () => ["reqlog", "by_seq"] as const,
} as const;
