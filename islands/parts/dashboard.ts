/**
 * The dashboard's pure helpers: GET /admin/api/usage/series turned into uPlot's column data,
 * summary tiles, table rows and event texts. No DOM here, so the unit tests run them directly.
 */
import type { UsageSeries } from "../../lib/usage/series.ts";

export type { UsageSeries };
export type SeriesProvider = UsageSeries["providers"][number];
export type SeriesEvent = UsageSeries["events"][number];
export type DashRange = UsageSeries["range"];

/** The ranges the toggle offers, with their labels. */
export const RANGES: readonly (readonly [DashRange, string])[] = [
  ["24h", "24 h"],
  ["7d", "7 d"],
];

/** How often the dashboard reloads while the page is visible. */
export const REFRESH_MS = 60_000;

/** Provider colours cycle through this many CSS variables (--chart-1 … --chart-8). */
export const PALETTE_SIZE = 8;

/** uPlot's column data: x (seconds) first, then one array per series; null leaves a gap. */
export type Columns = [number[], ...(number | null)[][]];

/** The API path for a range. */
export function seriesPath(range: DashRange): string {
  return `/admin/api/usage/series?range=${range}`;
}

/**
 * A cheap shape check of the API's answer. The type is the server's own (lib/usage/series.ts),
 * so the page does not bundle zod for one object; this only catches an answer of another kind
 * (a login page, an error body) before the charts index into it.
 */
export function isSeries(x: unknown): x is UsageSeries {
  const s = x as UsageSeries | null;
  return !!s && typeof s === "object" && Array.isArray(s.buckets) &&
    Array.isArray(s.providers) && !!s.all && Array.isArray(s.all.requests) &&
    Array.isArray(s.events);
}

/** The colour slot (0 … PALETTE_SIZE-1) of the provider at `index` in the series' order. */
export function colorSlot(index: number): number {
  return ((index % PALETTE_SIZE) + PALETTE_SIZE) % PALETTE_SIZE;
}

/** The buckets in seconds, as uPlot's time scale wants them. */
export function xSeconds(s: UsageSeries): number[] {
  return s.buckets.map((b) => Math.round(b / 1000));
}

/** One column per provider of `field` (requests or tokens). */
export function perProvider(s: UsageSeries, field: "requests" | "tokens"): Columns {
  return [xSeconds(s), ...s.providers.map((p) => p[field])];
}

/** Two columns per provider: p50 then p95 (ms), null in hours it served nothing. */
export function latencyColumns(s: UsageSeries): Columns {
  return [xSeconds(s), ...s.providers.flatMap((p) => [p.p50, p.p95])];
}

/** The fallback rate in percent per hour, null in hours without requests. */
export function fallbackColumns(s: UsageSeries): Columns {
  return [xSeconds(s), s.all.fallbackRate.map((r) => r === null ? null : round1(r * 100))];
}

/** The tiles above the charts. */
export interface Summary {
  requests: number;
  fallbacks: number;
  errors: number;
  tokens: number;
  /** Fallbacks per request in percent, null without requests. */
  fallbackPct: number | null;
}

/** Totals over the whole range. */
export function summarize(s: UsageSeries): Summary {
  const { requests, fallbacks, errors } = s.all.total;
  return {
    requests,
    fallbacks,
    errors,
    tokens: s.providers.reduce((a, p) => a + p.total.tokens, 0),
    fallbackPct: requests ? round1((fallbacks / requests) * 100) : null,
  };
}

/** True once anything happened in the range: a request or a timeline event. */
export function hasTraffic(s: UsageSeries): boolean {
  return s.all.total.requests > 0 || s.events.length > 0 ||
    s.providers.some((p) => p.total.requests > 0);
}

/** Indexes of the hours that had any request (the rows of the summary tables). */
export function busyHours(s: UsageSeries): number[] {
  const out: number[] = [];
  s.buckets.forEach((_, i) => {
    if (s.all.requests[i] > 0 || s.providers.some((p) => p.requests[i] > 0)) out.push(i);
  });
  return out;
}

/** "12", "1,234", "12.3k", "4.5M": short enough for a tile or an axis. */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 10_000) return Math.round(n).toLocaleString("en-US");
  for (const [unit, div] of [["B", 1e9], ["M", 1e6], ["k", 1e3]] as const) {
    if (abs >= div) return `${trim(n / div)}${unit}`;
  }
  return String(n);
}

/** A percentage with at most one decimal: "25%", "12.5%", "—" for none. */
export function percent(p: number | null): string {
  return p === null ? "—" : `${trim(p)}%`;
}

/** Milliseconds as "320 ms" or "1.5 s"; "—" for none. */
export function ms(n: number | null): string {
  if (n === null) return "—";
  return n < 1000 ? `${Math.round(n)} ms` : `${trim(n / 1000)} s`;
}

/** What a timeline event says, in words. */
export function eventText(e: SeriesEvent): string {
  if (e.kind === "circuit") {
    const what: Record<string, string> = {
      open: "circuit opened: provider skipped",
      degraded: "circuit degraded: tried last",
      half_open: "circuit half-open: probing",
      closed: "circuit closed: healthy again",
    };
    return what[e.detail] ?? `circuit ${e.detail}`;
  }
  const whom = e.subject ? ` (${e.subject})` : "";
  return `cooled down${whom} after ${e.detail}`;
}

/** The provider's display name, or its id when it has left the chain. */
export function providerName(s: UsageSeries, id: string): string {
  return s.providers.find((p) => p.id === id)?.name ?? id;
}

/** The colour slot of a provider id (its place in the series), or null when unknown. */
export function providerSlot(s: UsageSeries, id: string): number | null {
  const i = s.providers.findIndex((p) => p.id === id);
  return i < 0 ? null : colorSlot(i);
}

/** Where an instant sits along the range, 0-100 (for the event strip), clamped. */
export function positionPct(s: UsageSeries, iso: string): number {
  const start = s.buckets[0] ?? 0;
  const end = (s.buckets.at(-1) ?? start) + s.stepMs;
  if (end <= start) return 0;
  const p = ((Date.parse(iso) - start) / (end - start)) * 100;
  return Math.min(100, Math.max(0, round1(p)));
}

/** The events newest first, at most `limit`, and how many were left out. */
export function recentEvents(s: UsageSeries, limit = 50): { shown: SeriesEvent[]; more: number } {
  const all = [...s.events].reverse();
  return { shown: all.slice(0, limit), more: Math.max(0, all.length - limit) };
}

/** A one-sentence text summary of a per-provider chart, for its description. */
export function shareText(s: UsageSeries, field: "requests" | "tokens"): string {
  const total = s.providers.reduce((a, p) => a + p.total[field], 0);
  if (!total) return `No ${field} in this range.`;
  const parts = s.providers.filter((p) => p.total[field] > 0)
    .sort((a, b) => b.total[field] - a.total[field])
    .map((p) => `${p.name} ${compact(p.total[field])}`);
  return `${compact(total)} ${field} in this range: ${parts.join(", ")}.`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** One decimal, none when it is zero: 12 -> "12", 12.34 -> "12.3". */
function trim(n: number): string {
  return String(round1(n));
}
