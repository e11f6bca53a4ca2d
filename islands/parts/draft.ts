/**
 * The editable form of the config (pure functions, no DOM): rows for maps, strings for numbers,
 * masked stored keys kept as they are. `toConfig` turns a draft back into the JSON the admin API
 * takes, and remembers where each field went so the server's zod paths land on the right field.
 */
import type { Config } from "../../lib/config/schema.ts";
import { DEFAULTS, QUOTA_PERIODS, WEEK_DAYS } from "../../lib/config/rules.ts";

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
  /** A share (0..1) of a 5-hour or weekly window that notifies; blank: off. */
  limitThreshold: string;
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
      limitThreshold: str(hook.limitThreshold),
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
      limitThreshold: num(hook.limitThreshold),
    });
  }
  return { body, sent };
}

// ---------------------------------------------------------------------------------------------
// Inline validation: the same rules as the server's schema (lib/config/rules.ts), checked as
// the user types.

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
