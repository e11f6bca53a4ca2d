/**
 * The Detour config: zod schemas are the single source of truth; every type is inferred.
 *
 * @example
 * ```ts
 * const config = ConfigSchema.parse({ providers: [{ id: "anthropic", type: "anthropic",
 *   baseUrl: "https://api.anthropic.com", passthrough: true }] });
 * ```
 */
import { z } from "zod";
import { cloudFields, cloudSecrets, refineCloud } from "./fields/cloud.ts";
import { openaiFields, openaiSecrets, refineOpenai } from "./fields/openai.ts";
import { QuotaSchema, RequestLogSchema } from "./fields/usage.ts";

/** Provider types; each has an adapter in lib/providers/registry.ts. */
export const PROVIDER_TYPES = ["anthropic", "openai", "bedrock", "vertex"] as const;

/** Provider fields (besides `keys`) that hold secrets: masked on output, kept when masked on input. */
export const SECRET_FIELDS: readonly string[] = [...openaiSecrets, ...cloudSecrets];

/** Status codes that send a request on to the next provider unless the config says otherwise. */
export const DEFAULT_FALLBACK_ON = [401, 403, 408, 429, 500, 502, 503, 504, 529];

const slug = z.string().regex(
  /^[a-z0-9][a-z0-9_-]{0,62}$/,
  "use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit",
);

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "not a valid header name");

/** Headers a provider may not override: Detour owns them. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

/** A model-map pattern: an exact model name or a glob with `*`. */
const modelPattern = z.string().min(1, "a model pattern cannot be empty").max(200);

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

export const ProviderSchema = z.object({
  id: slug,
  name: z.string().max(100).optional(),
  type: z.enum(PROVIDER_TYPES),
  enabled: z.boolean().default(true),
  baseUrl,
  /** Use the client's own credential instead of stored keys. */
  passthrough: z.boolean().default(false),
  keys: z.array(z.string().trim().min(1, "a key cannot be empty").max(4096)).max(50).default(
    [],
  ),
  /** `x-api-key` (default), `authorization` (sends `Bearer <key>`), or any header for the raw key. */
  authHeader: headerName.transform((h) => h.toLowerCase()).default("x-api-key"),
  headers: z.record(headerName, z.string().max(8192)).default({}).refine(
    (h) => Object.keys(h).every((k) => !RESERVED_HEADERS.has(k.toLowerCase())),
    "host, content-length, transfer-encoding and connection cannot be set",
  ),
  /** Pattern -> upstream model; first match wins; empty means "pass models through". */
  modelMap: z.record(modelPattern, z.string().min(1).max(200)).default({}),
  /** Connect and first-byte timeout (streams: until the first content event). */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  cooldownSeconds: z.number().int().min(0).max(86_400).optional(),
  /** Overrides the top-level `nonStreamingTimeoutMs` for this provider. */
  nonStreamingTimeoutMs: z.number().int().min(100).max(3_600_000).optional(),
  /** A token budget per day, week or month (lib/config/fields/usage.ts). */
  quota: QuotaSchema.optional(),
  ...openaiFields,
  ...cloudFields,
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
export const CircuitBreakerSchema = z.object({
  enabled: z.boolean().default(true),
  degradedAfter: z.number().int().min(1).max(1000).default(3),
  openAfter: z.number().int().min(1).max(1000).default(5),
  /** How long an open circuit waits before a half-open probe; default: the provider's cooldown. */
  openSeconds: z.number().int().min(1).max(86_400).optional(),
}).refine((c) => c.openAfter >= c.degradedAfter, {
  message: "openAfter must be at least degradedAfter",
  path: ["openAfter"],
});

/** An optional URL told (POST, JSON) about failover bursts and circuit openings. */
export const WebhookSchema = z.object({
  url: httpUrl,
  /** A burst: this many fallbacks away from one provider within `burstWindowSeconds`. */
  burstFallbacks: z.number().int().min(1).max(100_000).default(5),
  burstWindowSeconds: z.number().int().min(1).max(86_400).default(60),
  /** At most one notification per kind and provider in this interval. */
  minIntervalSeconds: z.number().int().min(0).max(7 * 86_400).default(600),
  timeoutMs: z.number().int().min(100).max(30_000).default(5000),
});

export const ConfigSchema = z.object({
  providers: z.array(ProviderSchema).max(100).superRefine((providers, ctx) => {
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
  fallbackOn: z.array(z.number().int().min(400).max(599)).default(DEFAULT_FALLBACK_ON),
  cooldownSeconds: z.number().int().min(0).max(86_400).default(60),
  /** How long a stored key that answered 401/403 is left out. */
  authCooldownSeconds: z.number().int().min(0).max(7 * 86_400).default(1800),
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  maxAttempts: z.number().int().min(1).max(1000).default(6), // upstream calls per request at most
  /** Non-streaming answers arrive whole, so their first byte can take minutes. */
  nonStreamingTimeoutMs: z.number().int().min(100).max(3_600_000).default(600_000),
  /** A stream that has started but then sends nothing this long ends with an error event. */
  streamIdleTimeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000),
  bodyLimitBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(32 * 1024 * 1024),
  /** Browser origins allowed to call /v1/* (CORS); `*` allows any. None by default. */
  corsOrigins: z.array(z.string().trim().min(1).max(300)).max(100).default([]),
  /**
   * Session affinity: a session that failed over stays on the provider that served it until
   * the primary has been healthy this many seconds. 0 (default) turns it off.
   */
  sessionAffinitySeconds: z.number().int().min(0).max(86_400).default(0),
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
