/**
 * Problems with a config draft, filed under the page's field keys (`<uid>.<field>`): those found
 * before saving, the way the server will (and a little more: duplicates, dead rows), and the
 * server's own issues mapped back to the fields they concern.
 */
import {
  CONTROL_MESSAGE,
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
import {
  type Draft,
  NESTED_SETTINGS,
  type QuotaDraft,
  type Sent,
  SETTINGS_FIELDS,
  type SettingsDraft,
  type WebhookDraft,
} from "./draft.ts";

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
    const spill = spillError(p.extra.spillAt);
    if (spill) errors[k("spillAt")] = spill;
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
  const share = hook.limitThreshold.trim();
  const bounds = LIMITS.webhook.limitThreshold;
  if (share !== "" && !(Number(share) >= bounds.min && Number(share) <= bounds.max)) {
    errors["webhook.limitThreshold"] =
      `the limit share must be between ${bounds.min} and ${bounds.max} (0.8 = 80 %)`;
  }
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

/** The inline check of a provider's `spillAt` share, with the server's bounds (rules.ts). */
export function spillError(v: unknown): string | null {
  if (v === undefined) return null;
  const { min, max } = LIMITS.provider.spillAt;
  if (typeof v !== "number" || v < min || v > max) {
    return `a percentage between ${min * 100} and ${max * 100}`;
  }
  return null;
}
