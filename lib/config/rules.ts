/**
 * The config's plain rules: patterns, bounds, reserved names, choices and default values. The
 * zod schema (lib/config/schema.ts, lib/config/fields/) and the admin page's inline validation
 * (islands/parts/draft.ts) both read them from here, so a rule is written once.
 *
 * No zod here, nor anything that imports it: this module is bundled into the admin page.
 *
 * @example
 * ```ts
 * import { LIMITS, SLUG } from "./rules.ts";
 * console.assert(SLUG.test("zai") && !SLUG.test("Zai"));
 * console.assert(LIMITS.provider.timeoutMs.max === 600_000);
 * ```
 */

/** An inclusive range of whole numbers (or, for percentages, of numbers). */
export interface Range {
  min: number;
  max: number;
}

/** Provider ids: lowercase slugs, so they fit in targets, KV keys and header values. */
export const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const SLUG_MESSAGE =
  "use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit";

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Headers a provider may not override: Detour owns them. */
export const RESERVED_HEADERS: readonly string[] = [
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
];
export const RESERVED_HEADERS_MESSAGE =
  "host, content-length, transfer-encoding and connection cannot be set";

/** True for a header name Detour sets itself (any case). */
export const isReservedHeader = (name: string): boolean =>
  RESERVED_HEADERS.includes(name.toLowerCase());

/** True when a code unit is a control character (C0 or DEL); tab counts only if `tabToo`. */
const isControl = (c: number, tabToo: boolean) =>
  (c < 0x20 && (tabToo || c !== 0x09)) || c === 0x7f;

/**
 * True when a key or token holds a control character (line breaks included). In a header they
 * break the request: CR/LF would split it, and the runtime refuses them with an error that
 * quotes the value; so they are refused when the config is saved.
 */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i), true)) return true;
  return false;
}

/**
 * True when a header value holds a control character other than tab. Leading and trailing
 * whitespace (a pasted line break) is allowed: fetch strips it before sending.
 */
export function headerValueHasControlChars(s: string): boolean {
  const inner = s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  for (let i = 0; i < inner.length; i++) if (isControl(inner.charCodeAt(i), false)) return true;
  return false;
}

/** The messages for the two checks above: they never repeat the value (it may be a secret). */
export const CONTROL_MESSAGE = "contains a line break or another control character";

/** Day names a quota week may start on (index = UTC day of the week). */
export const WEEK_DAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

/** Periods a token quota counts over. */
export const QUOTA_PERIODS = ["day", "week", "month"] as const;

const r = (min: number, max: number): Range => ({ min, max });

/** Numeric bounds, by where the field sits in the config. */
export const LIMITS = {
  provider: {
    timeoutMs: r(100, 600_000),
    cooldownSeconds: r(0, 86_400),
    nonStreamingTimeoutMs: r(100, 3_600_000),
    /** Lengths: display name, keys per provider, one key, one header value, a model name. */
    nameLength: 100,
    keys: 50,
    keyLength: 4096,
    headerValueLength: 8192,
    modelLength: 200,
    /** A share of a rate-limit window (0..1, not only whole numbers). */
    spillAt: r(0.01, 1),
  },
  config: {
    providers: 100,
    /** An HTTP error status a provider may be left on. */
    fallbackStatus: r(400, 599),
    cooldownSeconds: r(0, 86_400),
    authCooldownSeconds: r(0, 7 * 86_400),
    timeoutMs: r(100, 600_000),
    maxAttempts: r(1, 1000),
    nonStreamingTimeoutMs: r(100, 3_600_000),
    streamIdleTimeoutMs: r(1000, 3_600_000),
    pingAfterMs: r(0, 600_000),
    bodyLimitBytes: r(1024, 512 * 1024 * 1024),
    sessionAffinitySeconds: r(0, 86_400),
  },
  circuitBreaker: {
    degradedAfter: r(1, 1000),
    openAfter: r(1, 1000),
    openSeconds: r(1, 86_400),
  },
  requestLog: {
    maxEntries: r(0, 100_000),
    debugBodyBytes: r(256, 65_536),
  },
  webhook: {
    burstFallbacks: r(1, 100_000),
    burstWindowSeconds: r(1, 86_400),
    minIntervalSeconds: r(0, 7 * 86_400),
    timeoutMs: r(100, 30_000),
    /** A share of a 5-hour or weekly window (0..1). */
    limitThreshold: r(0.01, 1),
  },
  quota: {
    tokens: r(1, 1e15),
    /** Not only whole numbers: a percentage. */
    thresholdPercent: r(1, 100),
  },
} as const;

/** Default values the page shows for fields the schema fills in. */
export const DEFAULTS = {
  quota: {
    period: "day",
    weekStartsOn: "monday",
    thresholdPercent: 90,
    perKey: false,
  },
  circuitBreaker: { enabled: true, degradedAfter: 3, openAfter: 5 },
  requestLog: { maxEntries: 5000, debugBodyBytes: 4096 },
  webhook: { burstFallbacks: 5, burstWindowSeconds: 60, minIntervalSeconds: 600, timeoutMs: 5000 },
} as const;
