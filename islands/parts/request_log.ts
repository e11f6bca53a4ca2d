/**
 * The request log's pure parts: filters read from and written to the URL, the admin API query a
 * page of entries needs, paging, and the formatting of times, tokens and provider labels.
 */
import * as z from "zod/mini";
import type { LoggedAttempt, RequestLogEntry } from "../../lib/store/usage_store.ts";

export type { LoggedAttempt, RequestLogEntry };

/** The preset time ranges, in milliseconds back from now. */
export const RANGES = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 } as const;

/** Entries fetched per page. */
export const PAGE_SIZE = 50;

/** URL query keys carry this prefix so they never collide with another section's. */
const PREFIX = "log_";

// A `datetime-local` value (local wall time, minutes or seconds), as the custom range inputs give.
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * The filters, as the URL keeps them. Each field falls back to its default on its own, so a
 * hand-edited or stale URL loses only the part that is wrong.
 */
export const FiltersSchema = z.object({
  provider: z.catch(z.string().check(z.maxLength(100)), ""),
  // "" (all), "ok", "error" or one status code.
  status: z.catch(z.string().check(z.regex(/^(ok|error|[1-5]\d\d)?$/)), ""),
  model: z.catch(z.string().check(z.maxLength(200)), ""),
  range: z.catch(z.enum(["1h", "24h", "7d", "custom"]), "24h"),
  since: z.catch(z.string().check(z.regex(LOCAL_TIME)), ""),
  until: z.catch(z.string().check(z.regex(LOCAL_TIME)), ""),
});

export type Filters = z.infer<typeof FiltersSchema>;
export type RangeKey = Filters["range"];

/** The filters a fresh page starts with. */
export const DEFAULT_FILTERS: Filters = FiltersSchema.parse({});

const KEYS = ["provider", "status", "model", "range", "since", "until"] as const;

/** Reads the filters from a URL query string (`?log_provider=zai&…`). */
export function readFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const raw: Record<string, string> = {};
  for (const k of KEYS) {
    const v = params.get(PREFIX + k);
    if (v !== null) raw[k] = v.trim();
  }
  const f = FiltersSchema.parse(raw);
  // Custom bounds mean nothing for a preset range: drop them so the URL stays canonical.
  return f.range === "custom" ? f : { ...f, since: "", until: "" };
}

/** The query string with these filters in it (defaults left out, other parameters kept). */
export function writeFilters(search: string, f: Filters): string {
  const params = new URLSearchParams(search);
  for (const k of KEYS) {
    const v = (k === "since" || k === "until") && f.range !== "custom" ? "" : f[k];
    if (v === DEFAULT_FILTERS[k] || v === "") params.delete(PREFIX + k);
    else params.set(PREFIX + k, v);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** True when any filter differs from the defaults. */
export function isFiltered(f: Filters): boolean {
  return KEYS.some((k) => f[k] !== DEFAULT_FILTERS[k]);
}

/** The time window a listing covers, in epoch ms. */
export interface Window {
  since?: number;
  until?: number;
}

/**
 * The window of `f` as of `now`: a preset range counts back from now; a custom one reads the
 * local times of the inputs. Returns an error message for an unreadable or reversed range.
 */
export function resolveWindow(f: Filters, now: number): Window | { error: string } {
  if (f.range !== "custom") return { since: now - RANGES[f.range] };
  // A datetime-local string without an offset is local time (ECMAScript date-time format).
  const since = f.since ? Date.parse(f.since) : undefined;
  const until = f.until ? Date.parse(f.until) : undefined;
  if (Number.isNaN(since) || Number.isNaN(until)) return { error: "That time is not readable." };
  if (since !== undefined && until !== undefined && since > until) {
    return { error: "The start of the range is after its end." };
  }
  // The inputs have minute precision: "until 10:05" includes requests during 10:05.
  return { since, until: until === undefined ? undefined : until + 59_999 };
}

/** The admin API path for one page of entries. */
export function listPath(
  f: Filters,
  w: Window,
  page: { until?: number; limit: number } = { limit: PAGE_SIZE },
): string {
  const q = new URLSearchParams();
  if (f.provider) q.set("provider", f.provider);
  if (f.status) q.set("status", f.status);
  if (f.model) q.set("model", f.model);
  if (w.since !== undefined) q.set("since", String(Math.max(0, Math.floor(w.since))));
  const until = page.until ?? w.until;
  if (until !== undefined) q.set("until", String(Math.floor(until)));
  q.set("limit", String(page.limit));
  return `/admin/api/requests?${q}`;
}

/** The epoch ms an entry id starts with (ids are time-ordered). */
export function idTime(id: string): number {
  return Number(id.slice(0, 13));
}

/**
 * The next page after `loaded` (newest first): `until` is the oldest entry's millisecond, and
 * the limit grows by the entries already loaded from that millisecond, which the answer repeats
 * first. Cutting at "oldest − 1 ms" instead would skip requests logged in the same millisecond.
 */
export function nextPage(
  loaded: RequestLogEntry[],
  w: Window,
  size = PAGE_SIZE,
): { until?: number; limit: number } {
  const last = loaded.at(-1);
  if (!last) return { until: w.until, limit: size };
  const t = idTime(last.id);
  const repeated = loaded.filter((e) => idTime(e.id) === t).length;
  return { until: t, limit: Math.min(1000, size + repeated) };
}

/** `loaded` followed by the entries of `page` it does not hold yet. */
export function appendPage(loaded: RequestLogEntry[], page: RequestLogEntry[]): RequestLogEntry[] {
  const seen = new Set(loaded.map((e) => e.id));
  return [...loaded, ...page.filter((e) => !seen.has(e.id))];
}

/** "2xx"-ish answers read as ok, the rest as errors (as the API's `status=ok|error` does). */
export function statusKind(status: number): "ok" | "error" {
  return status < 400 ? "ok" : "error";
}

/** Milliseconds, short: "840 ms", "2.4 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A token count, short: "950", "12.3k", "1.2M". */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "42 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function relativeTime(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** A local time of day, with the date when it is not today. */
export function localTime(at: number, now: number): string {
  const d = new Date(at);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.toLocaleDateString([], { month: "short", day: "numeric" })}, ${time}`;
}

/** A `datetime-local` value for an epoch ms (local time, minutes). */
export function toLocalInput(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }`;
}

/**
 * How the page names an attempt's provider: the chain's name for it, and the key label when
 * the attempt used one of several stored keys (`zai#2`).
 */
export function providerLabel(
  label: string,
  providers: { id: string; name?: string }[],
): { name: string; key: string | null } {
  const hash = label.indexOf("#");
  const id = hash === -1 ? label : label.slice(0, hash);
  const p = providers.find((x) => x.id === id);
  return { name: p?.name || id, key: hash === -1 ? null : label };
}

/** True when the request went to more than one provider (or key). */
export function fellBack(e: Pick<RequestLogEntry, "attempts">): boolean {
  return e.attempts.length > 1;
}

/** Words for an attempt's outcome as the engine names it. */
export function outcomeText(a: LoggedAttempt): string {
  const words: Record<string, string> = {
    ok: "served",
    final: "answered, no fallback",
    fallback: "fell back",
    timeout: "timed out",
    network: "network error",
    auth: "credential refused",
    stream_error: "stream error",
    client_closed: "client hung up",
  };
  // Spill-over (lib/fallback/plan.ts spillNote): held back, not tried.
  const spill = a.outcome.match(/^spill:(.+)$/);
  if (spill) return `skipped: ${spill[1]} limit past spillAt`;
  return words[a.outcome] ?? a.outcome.replace(/_/g, " ");
}
