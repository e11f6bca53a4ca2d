/**
 * Reads the rate-limit gauges off one Anthropic answer's headers. Pure: headers in, gauges out.
 *
 * A Claude subscription login (OAuth, `sk-ant-oat…`) answers with the unified family, the same
 * headers Claude Code's own usage bar reads (utilization is a spent fraction 0..1; resets are
 * Unix epoch seconds):
 *
 * ```
 * anthropic-ratelimit-unified-status: allowed | allowed_warning | rejected
 * anthropic-ratelimit-unified-reset: 1764936000
 * anthropic-ratelimit-unified-representative-claim: five_hour | seven_day | …
 * anthropic-ratelimit-unified-5h-utilization: 0.42      -5h-reset, -5h-status
 * anthropic-ratelimit-unified-7d-utilization: 0.30      -7d-reset, -7d-status
 * ```
 *
 * Captures of real answers: https://github.com/router-for-me/CLIProxyAPI/pull/3169 ,
 * https://github.com/anomalyco/opencode/issues/49653 ,
 * https://github.com/anthropics/claude-code/issues/12829 (representative claim),
 * https://github.com/anthropics/claude-code/issues/42108 (5h and 7d on every answer).
 * Some accounts send only the overall `unified-reset`/`unified-status` (overage billing:
 * https://github.com/cnighswonger/claude-code-cache-fix/pull/121): then no window is known.
 *
 * An API key answers with the standard family instead (remaining counts, RFC 3339 resets;
 * https://docs.anthropic.com/en/api/rate-limits#response-headers):
 * `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`.
 * Their utilization here is `1 - remaining / limit`.
 */
import * as z from "zod";

/** The windows a gauge may hold: the subscription's two, and an API key's per-minute ones. */
export const WINDOWS = ["5h", "7d", "requests", "tokens", "input_tokens", "output_tokens"] as const;
export type WindowName = typeof WINDOWS[number];

/** The subscription windows the dashboard shows first (and the webhook watches). */
export const SUBSCRIPTION_WINDOWS: readonly WindowName[] = ["5h", "7d"];

export const WindowGaugeSchema = z.object({
  /** Spent fraction of the window, 0..1 (a rejected window may report slightly above 1). */
  utilization: z.number().min(0).max(10),
  /** When the window resets (epoch ms), when the answer said. */
  resetsAt: z.number().nullable(),
  /** The window's own status (`allowed`, `allowed_warning`, `rejected`), when sent. */
  status: z.string().max(40).optional(),
});
export type WindowGauge = z.infer<typeof WindowGaugeSchema>;

export const GaugesSchema = z.object({
  /** When the answer was read (epoch ms). */
  at: z.number(),
  /** The overall unified status and the window it stands for (subscriptions only). */
  status: z.string().max(40).optional(),
  claim: z.string().max(40).optional(),
  /** The overall reset (subscriptions: `unified-reset`), epoch ms. */
  resetsAt: z.number().nullable().optional(),
  windows: z.partialRecord(z.enum(WINDOWS), WindowGaugeSchema),
});
export type Gauges = z.infer<typeof GaugesSchema>;

const UNIFIED = "anthropic-ratelimit-unified-";
const STANDARD = "anthropic-ratelimit-";

/** A reset value: epoch seconds (unified) or an RFC 3339 time (standard); null when neither. */
export function parseReset(value: string | null): number | null {
  if (value === null || value === "") return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    // Seconds, as Anthropic sends them; a value this large can only be milliseconds already.
    return n > 1e12 ? n : n * 1000;
  }
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** A spent fraction; a value above 1.5 is read as a percentage. Null for anything else. */
function parseFraction(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) return null;
  return Math.min(n > 1.5 ? n / 100 : n, 10);
}

const shortText = (v: string | null) => (v === null || v === "" ? undefined : v.slice(0, 40));

function unifiedWindow(h: Headers, name: "5h" | "7d"): WindowGauge | null {
  const utilization = parseFraction(h.get(`${UNIFIED}${name}-utilization`));
  if (utilization === null) return null;
  const status = shortText(h.get(`${UNIFIED}${name}-status`));
  return {
    utilization,
    resetsAt: parseReset(h.get(`${UNIFIED}${name}-reset`)),
    ...(status ? { status } : {}),
  };
}

function standardWindow(h: Headers, name: string): WindowGauge | null {
  const limit = Number(h.get(`${STANDARD}${name}-limit`) ?? NaN);
  const remaining = Number(h.get(`${STANDARD}${name}-remaining`) ?? NaN);
  if (!(limit > 0) || !Number.isFinite(remaining)) return null;
  const utilization = Math.min(Math.max((limit - remaining) / limit, 0), 1);
  return { utilization, resetsAt: parseReset(h.get(`${STANDARD}${name}-reset`)) };
}

/**
 * False when `headers` carry none of the headers `readGauges` needs (an error answer, most answers
 * of other upstreams): a few header reads, no parsing.
 */
export function mayCarryGauges(headers: Headers): boolean {
  return headers.has(`${UNIFIED}status`) || headers.has(`${UNIFIED}5h-utilization`) ||
    headers.has(`${STANDARD}requests-limit`) || headers.has(`${STANDARD}tokens-limit`);
}

/**
 * The gauges `headers` carry, or null when they carry none (most answers of other upstreams).
 * Cheap on the hot path: one header read decides, for the common case of an answer without them.
 */
export function readGauges(headers: Headers, now: number): Gauges | null {
  const overall = headers.get(`${UNIFIED}status`);
  const fiveHour = unifiedWindow(headers, "5h");
  const windows: Gauges["windows"] = {};
  if (overall !== null || fiveHour !== null) {
    if (fiveHour) windows["5h"] = fiveHour;
    const sevenDay = unifiedWindow(headers, "7d");
    if (sevenDay) windows["7d"] = sevenDay;
    const status = shortText(overall),
      claim = shortText(
        headers.get(`${UNIFIED}representative-claim`),
      );
    return {
      at: now,
      ...(status ? { status } : {}),
      ...(claim ? { claim } : {}),
      resetsAt: parseReset(headers.get(`${UNIFIED}reset`)),
      windows,
    };
  }
  if (!headers.has(`${STANDARD}requests-limit`) && !headers.has(`${STANDARD}tokens-limit`)) {
    return null;
  }
  for (const name of ["requests", "tokens", "input-tokens", "output-tokens"] as const) {
    const w = standardWindow(headers, name);
    if (w) windows[name.replace("-", "_") as WindowName] = w;
  }
  return Object.keys(windows).length > 0 ? { at: now, windows } : null;
}

/**
 * The window at or past `threshold` that keeps it shut longest (the limits are AND-composed: a
 * 5-hour window that reopens soon does not help while the weekly one is spent), with its reset;
 * null when none is, or when no such window says when it resets.
 */
export function windowOver(
  gauges: Gauges,
  threshold: number,
  now: number,
): { window: WindowName; utilization: number; until: number } | null {
  let worst: { window: WindowName; utilization: number; until: number } | null = null;
  for (const name of WINDOWS) {
    const w = gauges.windows[name];
    if (!w || w.utilization < threshold || w.resetsAt === null || w.resetsAt <= now) continue;
    if (!worst || w.resetsAt > worst.until) {
      worst = { window: name, utilization: w.utilization, until: w.resetsAt };
    }
  }
  return worst;
}
