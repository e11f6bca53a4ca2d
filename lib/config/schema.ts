/**
 * The Detour config: zod schemas are the single source of truth; every type is inferred.
 * Objects are strict (an unknown field is an issue, see issues.ts for the did-you-mean); the
 * plain rules they apply (patterns, bounds, defaults) come from rules.ts, which the page shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigSchema } from "./schema.ts";
 *
 * const config = ConfigSchema.parse({
 *   providers: [
 *     { id: "anthropic", type: "anthropic", baseUrl: "https://api.anthropic.com", passthrough: true },
 *   ],
 * });
 * assert.equal(config.providers[0].id, "anthropic"); // defaults filled in for everything else
 * ```
 */
import * as z from "zod";
import { cloudFields, cloudSecrets, refineCloud } from "./fields/cloud.ts";
import { openaiFields, openaiSecrets, refineOpenai } from "./fields/openai.ts";
import { profileFields } from "./fields/profile.ts";
import { QuotaSchema, RequestLogSchema } from "./fields/usage.ts";
import { intIn, numberIn, unsendable } from "./zod_rules.ts";
import {
  CONTROL_MESSAGE,
  DEFAULTS,
  hasControlChars,
  HEADER_NAME,
  headerValueHasControlChars,
  isReservedHeader,
  LIMITS,
  RESERVED_HEADERS_MESSAGE,
  SLUG,
  SLUG_MESSAGE,
} from "./rules.ts";

/** Provider types; each has an adapter in lib/providers/adapters.ts. */
export const PROVIDER_TYPES = ["anthropic", "openai", "bedrock", "vertex"] as const;

/** Provider fields (besides `keys`) that hold secrets: masked on output, kept when masked on input. */
export const SECRET_FIELDS: readonly string[] = [...openaiSecrets, ...cloudSecrets];

/** Status codes that send a request on to the next provider unless the config says otherwise. */
export const DEFAULT_FALLBACK_ON = [401, 403, 408, 429, 500, 502, 503, 504, 529];

const slug = z.string().regex(SLUG, SLUG_MESSAGE);

const headerName = z.string().regex(HEADER_NAME, "not a valid header name");

/** A model-map pattern: an exact model name or a glob with `*`. */
const modelPattern = z.string().min(1, "a model pattern cannot be empty").max(
  LIMITS.provider.modelLength,
);

/** A stored key: sent in a header, so no line breaks (the message never repeats the value). */
const storedKey = z.string().trim().min(1, "a key cannot be empty").max(LIMITS.provider.keyLength)
  .refine((k) => !hasControlChars(k), unsendable(`the key ${CONTROL_MESSAGE}`));

const headerValue = z.string().max(LIMITS.provider.headerValueLength).refine(
  (v) => !headerValueHasControlChars(v),
  unsendable(`the header value ${CONTROL_MESSAGE}`),
);

const P = LIMITS.provider, C = LIMITS.config;

/**
 * Strips what users paste after the base: a trailing `/`, and `/v1/messages` or `/v1` for
 * Anthropic-style providers; for `openai` providers only a trailing `/chat/completions` (their
 * base keeps its version path, e.g. `https://openrouter.ai/api/v1`).
 */
export function normalizeBaseUrl(url: string, type = "anthropic"): string {
  let out = url.trim().replace(/\/+$/, "");
  const suffixes = type === "openai" ? ["/chat/completions"] : ["/v1/messages", "/v1"];
  for (const suffix of suffixes) {
    if (out.endsWith(suffix)) out = out.slice(0, -suffix.length);
  }
  return out.replace(/\/+$/, "");
}

const baseUrl = z.string().trim().url("must be a full URL such as https://api.anthropic.com")
  .refine((u) => /^https?:\/\//i.test(u), "must start with http:// or https://");

export const ProviderSchema = z.strictObject({
  id: slug,
  name: z.string().max(P.nameLength).optional(),
  type: z.enum(PROVIDER_TYPES),
  enabled: z.boolean().default(true),
  baseUrl,
  /** Use the client's own credential instead of stored keys. */
  passthrough: z.boolean().default(false),
  keys: z.array(storedKey).max(P.keys).default([]),
  /** `x-api-key` (default), `authorization` (sends `Bearer <key>`), or any header for the raw key. */
  authHeader: headerName.transform((h) => h.toLowerCase()).default("x-api-key"),
  headers: z.record(headerName, headerValue).default({}).refine(
    (h) => !Object.keys(h).some(isReservedHeader),
    RESERVED_HEADERS_MESSAGE,
  ),
  /** Pattern -> upstream model; first match wins; empty means "pass models through". */
  modelMap: z.record(modelPattern, z.string().min(1).max(P.modelLength)).default({}),
  /** Connect and first-byte timeout (streams: until the first content event). */
  timeoutMs: intIn(P.timeoutMs).optional(),
  cooldownSeconds: intIn(P.cooldownSeconds).optional(),
  /** Overrides the top-level `nonStreamingTimeoutMs` for this provider. */
  nonStreamingTimeoutMs: intIn(P.nonStreamingTimeoutMs).optional(),
  /** A token budget per day, week or month (lib/config/fields/usage.ts). */
  quota: QuotaSchema.optional(),
  /**
   * Spill over before the wall: a credential whose 5-hour or weekly window (or an API key's
   * per-minute one) reports this share used or more is skipped until that window resets.
   */
  spillAt: numberIn(P.spillAt).optional(),
  ...openaiFields,
  ...cloudFields,
  ...profileFields,
}).superRefine((provider, ctx) => {
  refineOpenai(provider, ctx);
  refineCloud(provider, ctx);
}).overwrite((provider) => ({
  ...provider,
  baseUrl: normalizeBaseUrl(provider.baseUrl, provider.type),
}));

export type Provider = z.infer<typeof ProviderSchema>;
export type ProviderInput = z.input<typeof ProviderSchema>;

const httpUrl = z.string().trim().url("must be a full URL").refine(
  (u) => /^https?:\/\//i.test(u),
  "must start with http:// or https://",
);

/** Consecutive failures that degrade, then open, a provider's circuit (see circuit_board.ts). */
export const CircuitBreakerSchema = z.strictObject({
  enabled: z.boolean().default(DEFAULTS.circuitBreaker.enabled),
  degradedAfter: intIn(LIMITS.circuitBreaker.degradedAfter).default(
    DEFAULTS.circuitBreaker.degradedAfter,
  ),
  openAfter: intIn(LIMITS.circuitBreaker.openAfter).default(DEFAULTS.circuitBreaker.openAfter),
  /** How long an open circuit waits before a half-open probe; default: the provider's cooldown. */
  openSeconds: intIn(LIMITS.circuitBreaker.openSeconds).optional(),
}).refine((c) => c.openAfter >= c.degradedAfter, {
  message: "openAfter must be at least degradedAfter",
  path: ["openAfter"],
});

const W = LIMITS.webhook;

/** An optional URL told (POST, JSON) about failover bursts and circuit openings. */
export const WebhookSchema = z.strictObject({
  url: httpUrl,
  /** A burst: this many fallbacks away from one provider within `burstWindowSeconds`. */
  burstFallbacks: intIn(W.burstFallbacks).default(DEFAULTS.webhook.burstFallbacks),
  burstWindowSeconds: intIn(W.burstWindowSeconds).default(DEFAULTS.webhook.burstWindowSeconds),
  /** At most one notification per kind and provider in this interval. */
  minIntervalSeconds: intIn(W.minIntervalSeconds).default(DEFAULTS.webhook.minIntervalSeconds),
  timeoutMs: intIn(W.timeoutMs).default(DEFAULTS.webhook.timeoutMs),
  /** Tell when a credential's 5-hour or weekly window reaches this share (0..1); off unset. */
  limitThreshold: numberIn(W.limitThreshold).optional(),
});

export const ConfigSchema = z.strictObject({
  providers: z.array(ProviderSchema).max(C.providers).superRefine((providers, ctx) => {
    const seen = new Set<string>();
    providers.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate provider id "${p.id}"`,
          path: [i, "id"],
        });
      }
      seen.add(p.id);
    });
  }),
  fallbackOn: z.array(intIn(C.fallbackStatus)).default(DEFAULT_FALLBACK_ON),
  cooldownSeconds: intIn(C.cooldownSeconds).default(60),
  /** How long a stored key that answered 401/403 is left out. */
  authCooldownSeconds: intIn(C.authCooldownSeconds).default(1800),
  timeoutMs: intIn(C.timeoutMs).default(60_000),
  /** Upstream calls one client request may make at most (keys and providers together). */
  maxAttempts: intIn(C.maxAttempts).default(6),
  /** Non-streaming answers arrive whole, so their first byte can take minutes. */
  nonStreamingTimeoutMs: intIn(C.nonStreamingTimeoutMs).default(600_000),
  /** A stream that has started but then sends nothing this long ends with an error event. */
  streamIdleTimeoutMs: intIn(C.streamIdleTimeoutMs).default(300_000),
  /**
   * A stream with no answer yet this long is answered (200, SSE headers) and pinged every as
   * long until it has one, so the client's idle watchdog never fires (held_stream.ts). 0: off.
   */
  pingAfterMs: intIn(C.pingAfterMs).default(30_000),
  bodyLimitBytes: intIn(C.bodyLimitBytes).default(32 * 1024 * 1024),
  /** Browser origins allowed to call /v1/* (CORS); `*` allows any. None by default. */
  corsOrigins: z.array(z.string().trim().min(1).max(300)).max(100).default([]),
  /** Host names that mean this machine besides localhost, IP literals and its hostname. */
  localHosts: z.array(z.string().trim().min(1).max(253)).max(100).default([]),
  /**
   * Session affinity: a session that failed over stays on the provider that served it until
   * the primary has been healthy this many seconds. 0 (default) turns it off.
   */
  sessionAffinitySeconds: intIn(C.sessionAffinitySeconds).default(0),
  /** The admin request log: size and opt-in debug body capture. */
  requestLog: RequestLogSchema.prefault({}),
  circuitBreaker: CircuitBreakerSchema.prefault({}),
  webhook: WebhookSchema.optional(),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The config a fresh install starts with: the client's own credential, straight to Anthropic. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({
    providers: [{
      id: "anthropic",
      name: "Anthropic",
      type: "anthropic",
      baseUrl: "https://api.anthropic.com",
      passthrough: true,
    }],
  });
}
