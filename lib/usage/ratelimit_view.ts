/**
 * The rate-limit gauges as the admin API, the page and /metrics show them: per credential (by
 * label or short hash, never the credential), each window's utilization and reset, and whether
 * the planner is holding it back (its provider's `spillAt`). A window whose reset has passed
 * reads as empty: it has reopened since the answer that reported it.
 */
import type { Config } from "../config/schema.ts";
import { parseTarget } from "../fallback/targets.ts";
import type { GaugeRecord } from "../store/ratelimit_store.ts";
import type { GaugeLine } from "./metrics.ts";
import { type WindowName, windowOver, WINDOWS } from "./ratelimit_headers.ts";

/** One window of one credential. */
export interface WindowView {
  name: WindowName;
  /** Share used, 0..1 (0 once the reset has passed). */
  utilization: number;
  /** ISO time of the reset, while it lies ahead. */
  resetsAt: string | null;
  status?: string;
}

/** One credential's gauges. */
export interface GaugeView {
  provider: string;
  /** The label the page shows: a key label, an access key's label, or `client <hash>`. */
  credential: string;
  kind: "client" | "key" | "provider";
  /** When the answer they came from was read. */
  at: string;
  status?: string;
  claim?: string;
  windows: WindowView[];
  /** The provider's `spillAt` (0..1), when it spills over. */
  spillAt: number | null;
  /** Set while the provider's `spillAt` holds this credential back. */
  spill: { window: WindowName; until: string } | null;
}

/** The windows of `r` as of `now`. */
function windowsOf(r: GaugeRecord, now: number): WindowView[] {
  const out: WindowView[] = [];
  for (const name of WINDOWS) {
    const w = r.gauges.windows[name];
    if (!w) continue;
    const live = w.resetsAt === null || w.resetsAt > now;
    out.push({
      name,
      utilization: live ? w.utilization : 0,
      resetsAt: live && w.resetsAt !== null ? new Date(w.resetsAt).toISOString() : null,
      ...(w.status ? { status: w.status } : {}),
    });
  }
  return out;
}

/** Every credential's gauges, subscription windows first, by provider in chain order. */
export function gaugeViews(
  records: Map<string, GaugeRecord>,
  config: Config,
  now: number,
): GaugeView[] {
  const order = new Map(config.providers.map((p, i) => [p.id, i]));
  const views: GaugeView[] = [];
  for (const [target, r] of records) {
    const t = parseTarget(target);
    const spillAt = config.providers.find((p) => p.id === r.provider)?.spillAt;
    const over = spillAt === undefined ? null : windowOver(r.gauges, spillAt, now);
    views.push({
      provider: r.provider,
      credential: r.label,
      kind: t?.kind === "client" ? "client" : t?.kind === "key" ? "key" : "provider",
      at: new Date(r.gauges.at).toISOString(),
      ...(r.gauges.status ? { status: r.gauges.status } : {}),
      ...(r.gauges.claim ? { claim: r.gauges.claim } : {}),
      windows: windowsOf(r, now),
      spillAt: spillAt ?? null,
      spill: over ? { window: over.window, until: new Date(over.until).toISOString() } : null,
    });
  }
  const rank = (v: GaugeView) => order.get(v.provider) ?? order.size;
  return views.sort((a, b) => rank(a) - rank(b) || a.credential.localeCompare(b.credential));
}

/** The gauges as /metrics lines. */
export function gaugeLines(records: Map<string, GaugeRecord>, now = Date.now()): GaugeLine[] {
  const lines: GaugeLine[] = [];
  for (const r of records.values()) {
    for (const w of windowsOf(r, now)) {
      lines.push({
        provider: r.provider,
        credential: r.label,
        window: w.name,
        utilization: w.utilization,
        resetsAt: w.resetsAt === null ? null : Date.parse(w.resetsAt),
      });
    }
  }
  return lines;
}
