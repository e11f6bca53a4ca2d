/**
 * The editable form of the config (pure functions, no DOM): rows for maps, strings for numbers,
 * masked stored keys kept as they are. `toConfig` turns a draft back into the JSON the admin API
 * takes, and remembers where each field went so the server's zod paths land on the right field.
 */
import type { Config } from "../../lib/config/schema.ts";
import {
  CONTROL_MESSAGE,
  DEFAULTS,
  hasControlChars,
  HEADER_NAME,
  headerValueHasControlChars,
  isReservedHeader,
  LIMITS,
  QUOTA_PERIODS,
  type Range,
  SLUG,
  SLUG_MESSAGE,
  WEEK_DAYS,
} from "../../lib/config/rules.ts";

// The schema's rules (lib/config/rules.ts, zod-free); re-exported for the provider editor.
export { QUOTA_PERIODS, WEEK_DAYS };

/** A row of a map edited as a list (model map, headers). */
export interface Row {
  uid: string;
  a: string;
  b: string;
  /** The masked stored header value this row is replacing (kept if the user changes their mind). */
  was?: string;
}

/** One key: `stored` rows hold the masked stored key (sent back as is, which keeps it). */
export interface KeyRow {
  uid: string;
  value: string;
  stored: boolean;
  /** The masked stored key this row is replacing (kept if the user changes their mind). */
  was?: string;
}

export interface ProviderDraft {
  uid: string;
  /** The id it is saved under; null for a provider not saved yet. */
  origId: string | null;
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  baseUrl: string;
  passthrough: boolean;
  keys: KeyRow[];
  authHeader: string;
  headers: Row[];
  modelMap: Row[];
  timeoutMs: string;
  cooldownSeconds: string;
  /** The token budget; null when the provider has none. */
  quota: QuotaDraft | null;
  /** Fields this page does not know (other provider types): shown and edited generically. */
  extra: Record<string, unknown>;
}

/** A provider's token quota as edited (numbers as typed). */
export interface QuotaDraft {
  tokens: string;
  period: string;
  weekStartsOn: string;
  thresholdPercent: string;
  perKey: boolean;
}

/** The circuit breaker settings as edited; a blank `openSeconds` means "the provider's cooldown". */
export interface CircuitDraft {
  enabled: boolean;
  degradedAfter: string;
  openAfter: string;
  openSeconds: string;
}

/** The request log settings as edited; `debugBodiesUntil` is an ISO time or blank (off). */
export interface RequestLogDraft {
  maxEntries: string;
  debugBodiesUntil: string;
  debugBodyBytes: string;
}

/** The webhook as edited: a blank URL removes it; `stored` is the masked URL loaded from the server. */
export interface WebhookDraft {
  url: string;
  stored: string;
  burstFallbacks: string;
  burstWindowSeconds: string;
  minIntervalSeconds: string;
  timeoutMs: string;
}

export interface SettingsDraft {
  fallbackOn: string;
  cooldownSeconds: string;
  authCooldownSeconds: string;
  timeoutMs: string;
  nonStreamingTimeoutMs: string;
  bodyLimitBytes: string;
  maxAttempts: string;
}

export interface Draft {
  providers: ProviderDraft[];
  settings: SettingsDraft;
  circuitBreaker: CircuitDraft;
  requestLog: RequestLogDraft;
  webhook: WebhookDraft;
  /** Top-level config fields this page does not know: sent back unchanged. */
  extra: Record<string, unknown>;
}

const KNOWN_PROVIDER_FIELDS = new Set([
  "id",
  "name",
  "type",
  "enabled",
  "baseUrl",
  "passthrough",
  "keys",
  "authHeader",
  "headers",
  "modelMap",
  "timeoutMs",
  "cooldownSeconds",
  "quota",
]);

/** Top-level objects the Settings island edits field by field (server errors land on `<top>.<field>`). */
export const NESTED_SETTINGS = ["circuitBreaker", "requestLog", "webhook"] as const;

/** A new quota's starting values (the schema's defaults). */
export function emptyQuota(): QuotaDraft {
  const q = DEFAULTS.quota;
  return {
    tokens: "",
    period: q.period,
    weekStartsOn: q.weekStartsOn,
    thresholdPercent: String(q.thresholdPercent),
    perKey: q.perKey,
  };
}

export const SETTINGS_FIELDS = [
  "fallbackOn",
  "cooldownSeconds",
  "authCooldownSeconds",
  "timeoutMs",
  "nonStreamingTimeoutMs",
  "bodyLimitBytes",
  "maxAttempts",
] as const;

let counter = 0;
/** A uid for a row or provider created in the browser (never collides with loaded ones). */
export function newUid(prefix = "n"): string {
  return `${prefix}${++counter}x`;
}

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

type AnyProvider = Record<string, unknown>;

/** A provider as a draft; `uid` is deterministic so server and browser render the same ids. */
export function providerDraft(p: AnyProvider, uid: string, saved: boolean): ProviderDraft {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!KNOWN_PROVIDER_FIELDS.has(k)) extra[k] = v;
  const rows = (m: unknown, tag: string): Row[] =>
    Object.entries((m ?? {}) as Record<string, string>).map(([a, b], i) => ({
      uid: `${uid}${tag}${i}`,
      a,
      b: String(b),
    }));
  return {
    uid,
    origId: saved ? str(p.id) : null,
    id: str(p.id),
    name: str(p.name),
    type: str(p.type) || "anthropic",
    enabled: p.enabled !== false,
    baseUrl: str(p.baseUrl),
    passthrough: p.passthrough === true,
    keys: ((p.keys ?? []) as string[]).map((value, i) => ({
      uid: `${uid}k${i}`,
      value,
      stored: saved,
    })),
    authHeader: str(p.authHeader) || "x-api-key",
    headers: rows(p.headers, "h"),
    modelMap: rows(p.modelMap, "m"),
    timeoutMs: str(p.timeoutMs),
    cooldownSeconds: str(p.cooldownSeconds),
    quota: quotaDraft(p.quota),
    extra,
  };
}

function quotaDraft(q: unknown): QuotaDraft | null {
  if (!q || typeof q !== "object") return null;
  const o = q as Record<string, unknown>;
  const empty = emptyQuota();
  return {
    tokens: str(o.tokens),
    period: str(o.period) || empty.period,
    weekStartsOn: str(o.weekStartsOn) || empty.weekStartsOn,
    thresholdPercent: str(o.thresholdPercent ?? empty.thresholdPercent),
    perKey: o.perKey === true,
  };
}

/** The draft of a saved (masked) config; `previous` keeps uids of providers that stay. */
export function fromConfig(config: Config, previous?: Draft): Draft {
  const extra: Record<string, unknown> = {};
  const own: readonly string[] = [...SETTINGS_FIELDS, ...NESTED_SETTINGS];
  for (const [k, v] of Object.entries(config)) {
    if (k !== "providers" && !own.includes(k)) extra[k] = v;
  }
  // The schema fills these in, but a config from an older server may lack them.
  const cb: Partial<Config["circuitBreaker"]> = config.circuitBreaker ?? {};
  const log: Partial<Config["requestLog"]> = config.requestLog ?? {};
  const hook: Partial<NonNullable<Config["webhook"]>> = config.webhook ?? {};
  const uidOf = (id: string, i: number) =>
    previous?.providers.find((p) => p.origId === id || (p.origId === null && p.id === id))?.uid ??
      `p${i}`;
  const taken = new Set<string>();
  return {
    providers: config.providers.map((p, i) => {
      let uid = uidOf(p.id, i);
      if (taken.has(uid)) uid = newUid("p");
      taken.add(uid);
      return providerDraft(p as unknown as AnyProvider, uid, true);
    }),
    settings: {
      fallbackOn: config.fallbackOn.join(", "),
      cooldownSeconds: str(config.cooldownSeconds),
      authCooldownSeconds: str(config.authCooldownSeconds),
      timeoutMs: str(config.timeoutMs),
      nonStreamingTimeoutMs: str(config.nonStreamingTimeoutMs),
      bodyLimitBytes: str(config.bodyLimitBytes),
      maxAttempts: str(config.maxAttempts),
    },
    circuitBreaker: {
      enabled: cb.enabled !== false,
      degradedAfter: str(cb.degradedAfter ?? DEFAULTS.circuitBreaker.degradedAfter),
      openAfter: str(cb.openAfter ?? DEFAULTS.circuitBreaker.openAfter),
      openSeconds: str(cb.openSeconds),
    },
    requestLog: {
      maxEntries: str(log.maxEntries ?? DEFAULTS.requestLog.maxEntries),
      debugBodiesUntil: str(log.debugBodiesUntil),
      debugBodyBytes: str(log.debugBodyBytes ?? DEFAULTS.requestLog.debugBodyBytes),
    },
    webhook: {
      url: str(hook.url),
      stored: str(hook.url),
      burstFallbacks: str(hook.burstFallbacks ?? DEFAULTS.webhook.burstFallbacks),
      burstWindowSeconds: str(hook.burstWindowSeconds ?? DEFAULTS.webhook.burstWindowSeconds),
      minIntervalSeconds: str(hook.minIntervalSeconds ?? DEFAULTS.webhook.minIntervalSeconds),
      timeoutMs: str(hook.timeoutMs ?? DEFAULTS.webhook.timeoutMs),
    },
    extra,
  };
}

/** A number field: blank is "not set"; anything else that is not a number is sent as typed. */
function num(s: string): number | string | undefined {
  const t = s.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** An object without its undefined values (blank number fields take the schema's default). */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Where each sent provider came from, for mapping server errors back to fields. */
export interface Sent {
  providers: {
    uid: string;
    keys: string[];
    modelMap: Row[];
    headers: Row[];
  }[];
}

/** The JSON of one provider draft. */
export function providerJson(p: ProviderDraft): { json: Record<string, unknown>; keys: string[] } {
  const keys = p.keys.filter((k) => k.stored || k.value.trim() !== "");
  const json: Record<string, unknown> = {
    ...p.extra,
    id: p.id.trim(),
    ...(p.name.trim() ? { name: p.name.trim() } : {}),
    type: p.type,
    enabled: p.enabled,
    baseUrl: p.baseUrl.trim(),
    passthrough: p.passthrough,
    keys: keys.map((k) => k.value.trim()),
    authHeader: p.authHeader.trim(),
    headers: Object.fromEntries(
      p.headers.filter((r) => r.a.trim() !== "" || r.b !== "").map((r) => [r.a.trim(), r.b]),
    ),
    modelMap: Object.fromEntries(
      p.modelMap.filter((r) => r.a.trim() !== "" || r.b.trim() !== "").map((r) => [
        r.a.trim(),
        r.b.trim(),
      ]),
    ),
  };
  const timeoutMs = num(p.timeoutMs);
  if (timeoutMs !== undefined) json.timeoutMs = timeoutMs;
  const cooldownSeconds = num(p.cooldownSeconds);
  if (cooldownSeconds !== undefined) json.cooldownSeconds = cooldownSeconds;
  if (p.quota) {
    const q = p.quota;
    // weekStartsOn is sent for every period: it is harmless for day and month, and keeps the
    // choice if the period is switched back to week.
    json.quota = defined({
      tokens: num(q.tokens),
      period: q.period,
      weekStartsOn: q.weekStartsOn,
      thresholdPercent: num(q.thresholdPercent),
      perKey: q.perKey,
    });
  }
  return { json, keys: keys.map((k) => k.uid) };
}

/** The JSON the admin API takes (PUT /admin/api/config), and where each provider came from. */
export function toConfig(d: Draft): { body: Record<string, unknown>; sent: Sent } {
  const sent: Sent = { providers: [] };
  const providers = d.providers.map((p) => {
    const { json, keys } = providerJson(p);
    sent.providers.push({ uid: p.uid, keys, modelMap: p.modelMap, headers: p.headers });
    return json;
  });
  const s = d.settings;
  const codes = s.fallbackOn.split(/[\s,]+/).filter((c) => c !== "").map((c) => num(c));
  const body: Record<string, unknown> = { ...d.extra, providers, fallbackOn: codes };
  for (const field of SETTINGS_FIELDS) {
    if (field === "fallbackOn") continue;
    const v = num(s[field]);
    if (v !== undefined) body[field] = v;
  }
  const cb = d.circuitBreaker;
  body.circuitBreaker = defined({
    enabled: cb.enabled,
    degradedAfter: num(cb.degradedAfter),
    openAfter: num(cb.openAfter),
    openSeconds: num(cb.openSeconds),
  });
  const log = d.requestLog;
  body.requestLog = defined({
    maxEntries: num(log.maxEntries),
    debugBodiesUntil: log.debugBodiesUntil.trim() || undefined,
    debugBodyBytes: num(log.debugBodyBytes),
  });
  // No URL, no webhook: clearing the URL removes it.
  const hook = d.webhook;
  if (hook.url.trim() !== "") {
    body.webhook = defined({
      url: hook.url.trim(),
      burstFallbacks: num(hook.burstFallbacks),
      burstWindowSeconds: num(hook.burstWindowSeconds),
      minIntervalSeconds: num(hook.minIntervalSeconds),
      timeoutMs: num(hook.timeoutMs),
    });
  }
  return { body, sent };
}

/** The page's field key for a server issue path such as `providers.1.keys.0`. */
export function fieldKeyForIssue(path: string, sent: Sent): string {
  const m = path.match(/^providers\.(\d+)(?:\.(.*))?$/);
  if (m) {
    const p = sent.providers[Number(m[1])];
    if (!p) return "providers";
    const rest = m[2] ?? "";
    if (rest === "") return `${p.uid}._`;
    if (rest === "quota" || rest.startsWith("quota.")) {
      const sub = rest.split(".")[1];
      return sub ? `${p.uid}.quota.${sub}` : `${p.uid}.quota`;
    }
    if (rest.startsWith("keys.")) {
      const row = p.keys[Number(rest.split(".")[1])];
      return row ? `${p.uid}.keys.${row}` : `${p.uid}.keys`;
    }
    for (const section of ["modelMap", "headers"] as const) {
      if (rest.startsWith(`${section}.`)) {
        const name = rest.slice(section.length + 1);
        const row = p[section].find((r) =>
          section === "headers"
            ? r.a.trim().toLowerCase() === name.toLowerCase()
            : r.a.trim() === name
        );
        return row ? `${p.uid}.${section}.${row.uid}` : `${p.uid}.${section}`;
      }
    }
    return `${p.uid}.${rest.split(".")[0]}`;
  }
  if (path === "providers" || path === "") return path === "" ? "_" : "providers";
  const [top, sub] = path.split(".");
  if ((NESTED_SETTINGS as readonly string[]).includes(top)) return sub ? `${top}.${sub}` : top;
  return (SETTINGS_FIELDS as readonly string[]).includes(top) ? `settings.${top}` : "_";
}

// ---------------------------------------------------------------------------------------------
// Inline validation: the same rules as the server's schema (lib/config/rules.ts), checked as
// the user types.

/** Problems found before saving: `errors` block a save, `warnings` do not. */
export interface Validation {
  errors: Record<string, string>;
  warnings: Record<string, string>;
}

function intIn(s: string, { min, max }: Range, what: string, optional = true): string | null {
  const t = s.trim();
  if (t === "") return optional ? null : `${what} is required`;
  const n = Number(t);
  if (!Number.isInteger(n)) return `${what} must be a whole number`;
  if (n < min || n > max) return `${what} must be between ${min} and ${max}`;
  return null;
}

/** True for an http(s) URL with a host. */
export function validBaseUrl(url: string): boolean {
  try {
    const u = new URL(url.trim());
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/** Checks a draft the way the server will (and a little more: duplicates, dead rows). */
export function validate(d: Draft): Validation {
  const errors: Record<string, string> = {};
  const warnings: Record<string, string> = {};
  const ids = new Map<string, number>();
  for (const p of d.providers) ids.set(p.id.trim(), (ids.get(p.id.trim()) ?? 0) + 1);
  for (const p of d.providers) {
    const k = (f: string) => `${p.uid}.${f}`;
    const id = p.id.trim();
    if (id === "") errors[k("id")] = "an id is required";
    else if (!SLUG.test(id)) errors[k("id")] = SLUG_MESSAGE;
    else if ((ids.get(id) ?? 0) > 1) errors[k("id")] = `another provider already uses "${id}"`;
    const nameMax = LIMITS.provider.nameLength;
    if (p.name.length > nameMax) errors[k("name")] = `at most ${nameMax} characters`;
    if (p.baseUrl.trim() === "") errors[k("baseUrl")] = "a base URL is required";
    else if (!validBaseUrl(p.baseUrl)) {
      errors[k("baseUrl")] = "must be a full URL such as https://api.anthropic.com";
    }
    if (!HEADER_NAME.test(p.authHeader.trim())) errors[k("authHeader")] = "not a valid header name";
    const t = intIn(p.timeoutMs, LIMITS.provider.timeoutMs, "the timeout");
    if (t) errors[k("timeoutMs")] = t;
    const c = intIn(p.cooldownSeconds, LIMITS.provider.cooldownSeconds, "the cooldown");
    if (c) errors[k("cooldownSeconds")] = c;
    if (p.quota) validateQuota(p.quota, k, errors, warnings, p.passthrough);
    const seenKeys = new Set<string>();
    for (const key of p.keys) {
      const v = key.value.trim();
      if (key.was && v === "") {
        warnings[`${p.uid}.keys.${key.uid}`] = `left empty, the stored key ${key.was} is removed`;
      }
      if (!key.stored && hasControlChars(v)) {
        errors[`${p.uid}.keys.${key.uid}`] = `the key ${CONTROL_MESSAGE}`;
      } else if (!key.stored && v !== "" && seenKeys.has(v)) {
        warnings[`${p.uid}.keys.${key.uid}`] = "the same key is listed twice";
      }
      seenKeys.add(v);
    }
    if (
      !p.passthrough && p.type === "anthropic" &&
      p.keys.every((key) => !key.stored && !key.value.trim())
    ) {
      warnings[k("keys")] = "no keys yet: this provider is skipped until it has one";
    }
    const patterns = new Set<string>(), modelMax = LIMITS.provider.modelLength;
    let catchAll = false;
    for (const row of p.modelMap) {
      const rk = `${p.uid}.modelMap.${row.uid}`;
      const a = row.a.trim(), b = row.b.trim();
      if (a === "" && b === "") continue;
      if (a === "") errors[rk] = "enter the model pattern this row matches (e.g. claude-*haiku*)";
      else if (b === "") errors[rk] = "enter the upstream model to send";
      else if (patterns.has(a)) errors[rk] = `"${a}" is already mapped above`;
      else if (Math.max(a.length, b.length) > modelMax) {
        errors[rk] = `at most ${modelMax} characters`;
      } else if (catchAll) warnings[rk] = "never used: a * row above matches every model first";
      patterns.add(a);
      if (a === "*") catchAll = true;
    }
    const names = new Set<string>();
    for (const row of p.headers) {
      const rk = `${p.uid}.headers.${row.uid}`;
      const a = row.a.trim();
      if (row.was && row.b === "") {
        warnings[rk] = `left empty, the stored value ${row.was} is replaced by an empty one`;
      }
      if (a === "" && row.b === "") continue;
      if (a === "") errors[rk] = "enter a header name";
      else if (!HEADER_NAME.test(a)) errors[rk] = "not a valid header name";
      else if (isReservedHeader(a)) {
        errors[rk] = `${a} is set by Detour and cannot be overridden`;
      } else if (names.has(a.toLowerCase())) errors[rk] = `${a} is already set above`;
      else if (headerValueHasControlChars(row.b)) errors[rk] = `the value ${CONTROL_MESSAGE}`;
      names.add(a.toLowerCase());
    }
  }
  const s = d.settings;
  const codes = s.fallbackOn.split(/[\s,]+/).filter((x) => x !== "");
  const status = LIMITS.config.fallbackStatus;
  const badCode = codes.find((x) =>
    !/^\d+$/.test(x) || Number(x) < status.min || Number(x) > status.max
  );
  if (badCode !== undefined) {
    errors["settings.fallbackOn"] =
      `"${badCode}" is not an HTTP error status (${status.min}-${status.max})`;
  }
  const checks: [keyof SettingsDraft & keyof typeof LIMITS.config, string][] = [
    ["cooldownSeconds", "the cooldown"],
    ["authCooldownSeconds", "the auth cooldown"],
    ["timeoutMs", "the timeout"],
    ["nonStreamingTimeoutMs", "the timeout"],
    ["bodyLimitBytes", "the body limit"],
    ["maxAttempts", "the attempts per request"],
  ];
  for (const [field, what] of checks) {
    const e = intIn(s[field], LIMITS.config[field], what, false);
    if (e) errors[`settings.${field}`] = e;
  }
  validateOps(d, errors, warnings);
  return { errors, warnings };
}

/** A quota's fields, filed under `<uid>.quota.<field>` (where the server's issues land too). */
function validateQuota(
  q: QuotaDraft,
  k: (f: string) => string,
  errors: Record<string, string>,
  warnings: Record<string, string>,
  passthrough: boolean,
): void {
  const { tokens, thresholdPercent: percent } = LIMITS.quota;
  const t = q.tokens.trim();
  if (t === "") errors[k("quota.tokens")] = "the token budget is required";
  else if (!Number.isInteger(Number(t)) || Number(t) < tokens.min) {
    errors[k("quota.tokens")] = `must be a whole number of tokens, at least ${tokens.min}`;
  } else if (Number(t) > tokens.max) errors[k("quota.tokens")] = "at most 10^15 tokens";
  const pct = q.thresholdPercent.trim();
  if (pct === "") errors[k("quota.thresholdPercent")] = "the threshold is required";
  else if (
    !Number.isFinite(Number(pct)) || Number(pct) < percent.min || Number(pct) > percent.max
  ) {
    errors[k("quota.thresholdPercent")] =
      `must be a percentage between ${percent.min} and ${percent.max}`;
  }
  if (!(QUOTA_PERIODS as readonly string[]).includes(q.period)) {
    errors[k("quota.period")] = "choose day, week or month";
  }
  if (!(WEEK_DAYS as readonly string[]).includes(q.weekStartsOn)) {
    errors[k("quota.weekStartsOn")] = "choose a day of the week";
  }
  if (q.perKey && passthrough) {
    warnings[k("quota.perKey")] = "a passthrough provider has no stored keys: nothing is counted";
  }
}

/** Circuit breaker, request log and webhook settings. */
function validateOps(
  d: Draft,
  errors: Record<string, string>,
  warnings: Record<string, string>,
): void {
  const cb = d.circuitBreaker;
  const limits = LIMITS.circuitBreaker;
  const degraded = intIn(cb.degradedAfter, limits.degradedAfter, "the failure count", false);
  if (degraded) errors["circuitBreaker.degradedAfter"] = degraded;
  const open = intIn(cb.openAfter, limits.openAfter, "the failure count", false);
  if (open) errors["circuitBreaker.openAfter"] = open;
  else if (!degraded && Number(cb.openAfter) < Number(cb.degradedAfter)) {
    errors["circuitBreaker.openAfter"] =
      `must be at least "degraded after" (${cb.degradedAfter.trim()})`;
  }
  const openS = intIn(cb.openSeconds, limits.openSeconds, "the open time");
  if (openS) errors["circuitBreaker.openSeconds"] = openS;

  const log = d.requestLog;
  const max = intIn(log.maxEntries, LIMITS.requestLog.maxEntries, "the entry count", false);
  if (max) errors["requestLog.maxEntries"] = max;
  const bytes = intIn(log.debugBodyBytes, LIMITS.requestLog.debugBodyBytes, "the body size", false);
  if (bytes) errors["requestLog.debugBodyBytes"] = bytes;
  if (log.debugBodiesUntil.trim() !== "" && Number.isNaN(Date.parse(log.debugBodiesUntil))) {
    errors["requestLog.debugBodiesUntil"] = "not a valid time: stop the capture and start it again";
  }

  const hook = d.webhook;
  const url = hook.url.trim();
  if (url === "") {
    if (hook.stored) warnings["webhook.url"] = "left empty, the webhook is removed when you save";
    return;
  }
  // A masked URL is the stored one, kept as it is (the server checks it still matches).
  if (!(url === hook.stored && url.includes("…")) && !validBaseUrl(url)) {
    errors["webhook.url"] = "must be a full http:// or https:// URL";
  }
  const checks: [keyof WebhookDraft & keyof typeof LIMITS.webhook, string][] = [
    ["burstFallbacks", "the fallback count"],
    ["burstWindowSeconds", "the window"],
    ["minIntervalSeconds", "the interval"],
    ["timeoutMs", "the timeout"],
  ];
  for (const [field, what] of checks) {
    const e = intIn(hook[field], LIMITS.webhook[field], what, false);
    if (e) errors[`webhook.${field}`] = e;
  }
}

/** The ISO time `minutes` from `now`: when a debug capture started now ends. */
export function captureUntil(minutes: number, now: number): string {
  return new Date(now + Math.round(minutes * 60_000)).toISOString();
}

/** A new provider id from a preset's, unique in the draft. */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  const clean = base.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 50) || "provider";
  let id = clean, n = 2;
  while (set.has(id)) id = `${clean}-${n++}`;
  return id;
}

/** A starting value for a newly added provider field of this kind. */
export function emptyValue(kind: string, options?: string[]): unknown {
  if (kind === "boolean") return false;
  if (kind === "enum") return options?.[0] ?? "";
  return kind === "json" ? [] : "";
}
