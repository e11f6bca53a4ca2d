/** The bench's results: their JSON shape and the Markdown tables printed from them. */
import type { Summary } from "./stats.ts";

/**
 * "fronted" is the buffering proxy behind the front listener (bench/buffering_proxy.ts --front);
 * "frontedRelaying" the same with its answer read chunk by chunk in JavaScript (`--front --relay`);
 * "floorCopy" a second, identical process of it (the noise between two identical proxies).
 */
export type TargetName =
  | "direct"
  | "minimal"
  | "buffering"
  | "fronted"
  | "frontedRelaying"
  | "floorCopy"
  | "detour";

/** Every target, in the order the report lists them and each round of the bench first measures them. */
export const TARGET_ORDER: readonly TargetName[] = [
  "direct",
  "minimal",
  "buffering",
  "fronted",
  "frontedRelaying",
  "floorCopy",
  "detour",
];

/** The floors, each compared with Detour in the same five figures. */
export type Floor = "buffering" | "fronted" | "frontedRelaying";

/** Detour against one floor: the five JSON-path figures. */
export interface FloorFigures {
  /** The floor's added p50 at c=1, in ms. */
  addedP50Ms: number;
  /** Detour's added p50 at c=1 / the floor's. */
  latencyRatio: number;
  /** Detour's throughput at c=32 as % of the floor's. */
  throughputPctC32: number;
  /** Detour's CPU per JSON request / the floor's. */
  cpuRatio: number;
  /** Streamed first byte p50 at c=32: Detour's − the floor's, in ms. */
  firstByteGapMsC32: number;
  /** Streamed first byte p50 at c=1: Detour's − the floor's, in ms (its own work before it). */
  firstByteGapMsC1: number;
  /** Peak RSS: Detour's / the floor's. */
  rssRatio: number;
}

/** The targets that are processes of their own (all but the mock called directly). */
export type ProxyName = Exclude<TargetName, "direct">;

/** Pooled non-streaming figures of one target at one concurrency. */
export interface LoadFigures {
  rps: number;
  latency: Summary;
  samples: number[];
}

/** Pooled streaming figures of one target. */
export interface StreamFigures {
  ttfb: Summary;
  total: Summary;
  chunks: Summary;
  samples: { ttfb: number[]; total: number[]; chunks: number[] };
}

/** Everything one bench run measured; written to bench/results.json. */
export interface Results {
  meta: Record<string, unknown>;
  targets: Record<
    TargetName,
    { c1: LoadFigures; c32: LoadFigures; stream: StreamFigures; stream32: StreamFigures }
  >;
  /** VmHWM after the latency phase. */
  peakRssKb: Record<ProxyName, number | null>;
  /** VmRSS right after each proxy started and answered /health, before any warm-up. */
  idleRssKb: Record<ProxyName, number | null>;
  derived: {
    minimalAddedP50Ms: number;
    detourAddedP50Ms: number;
    addedLatencyRatio: number;
    bufferingLatencyRatio: number;
    bufferingThroughputPctC32: number;
    minimalAddedP50MsC32: number;
    detourAddedP50MsC32: number;
    addedLatencyRatioC32: number;
    throughputPctC1: number;
    throughputPctC32: number;
    /** CPU time (user + system) per request over the c=32 non-streaming rounds, in µs. */
    cpuUsPerRequest: Record<ProxyName, number | null>;
    /**
     * Detour's five JSON-path figures against the buffering proxy (the targets' floor), the same
     * behind the front (the self-hosted floor) and the relaying proxy behind it (the floor of
     * every rule a JSON answer and a stream meet).
     */
    againstFloor: Record<Floor, FloorFigures>;
    /**
     * The floor of the rules' identical copy against it, figure by figure: what the noise alone
     * gives, the resolution of Detour's figures against that floor.
     */
    floorAgainstItself: FloorFigures;
    /** Peak RSS − idle RSS of each proxy: what the load added. */
    rssGrowthKb: Record<ProxyName, number | null>;
    /** Detour's peak RSS growth / the buffering proxy's. */
    rssGrowthRatio: number;
  };
  failover: {
    method: string;
    direct429: LoadFigures;
    directBackup: LoadFigures;
    detour: LoadFigures;
    extraP50Ms: number;
    extraOverHopP50Ms: number;
    /** The literal first request of a fresh Detour (cold JIT), for reference only. */
    coldFirstMs: number;
    requests: number;
    primaryHits: number;
  };
  cooling: {
    detourCooling: LoadFigures;
    detourBackupOnly: LoadFigures;
    diffP50Ms: number;
    requests: number;
    primaryHits: number;
  };
  problems: string[];
}

const ms = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "n/a";
const int = (n: number) => Number.isFinite(n) ? Math.round(n).toString() : "n/a";
const us = (n: number | null) =>
  n === null || !Number.isFinite(n) ? "n/a" : Math.round(n).toString();
const mark = (ok: boolean) => ok ? "✅" : "❌";

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Renders the results as the Markdown report printed to stdout. */
export function renderMarkdown(r: Results): string {
  const names: Record<TargetName, string> = {
    direct: "direct → mock",
    minimal: "minimal proxy",
    buffering: "buffering proxy (floor)",
    fronted: "buffering proxy behind the front (self-hosted floor)",
    frontedRelaying: "relaying proxy behind the front (floor of the rules)",
    floorCopy: "the same, a second process (its copy)",
    detour: "Detour",
  };
  const d = r.derived;
  const f = r.failover;
  const c = r.cooling;
  const mb = (kb: number | null) => kb === null ? "n/a" : `${(kb / 1024).toFixed(1)} MB`;

  const load = table(
    ["target", "c=1 req/s", "c=1 p50 ms", "c=1 p99 ms", "c=32 req/s", "c=32 p50 ms", "c=32 p99 ms"],
    TARGET_ORDER.map((t) => {
      const { c1, c32 } = r.targets[t];
      return [
        names[t],
        int(c1.rps),
        ms(c1.latency.p50),
        ms(c1.latency.p99),
        int(c32.rps),
        ms(c32.latency.p50),
        ms(c32.latency.p99),
      ];
    }),
  );
  const stream = table(
    ["target", "first byte p50 ms", "total p50 ms", "body reads p50", "c=32 first byte p50 ms"],
    TARGET_ORDER.map((t) => {
      const s = r.targets[t].stream;
      return [
        names[t],
        ms(s.ttfb.p50),
        ms(s.total.p50),
        int(s.chunks.p50),
        ms(r.targets[t].stream32.ttfb.p50),
      ];
    }),
  );
  const firstByte32 = (t: TargetName) => ms(r.targets[t].stream32.ttfb.p50);
  const growth = d.rssGrowthKb;
  const idle = r.idleRssKb;
  const copy = d.floorAgainstItself;
  /**
   * Detour's five JSON-path figures against a floor; `judged` marks them against the targets.
   * Against the floor of the rules each value also gives the same figure for the floor's copy:
   * a gap the copy shows too is noise, not Detour's.
   */
  const againstFloor = (t: Floor, name: string, judged: boolean): string[][] => {
    const a = d.againstFloor[t];
    const goal = (target: string, ok: boolean) => judged ? [target, mark(ok)] : ["(info)", ""];
    const andCopy = (text: string) => t === "frontedRelaying" ? `; its copy: ${text}` : "";
    return [
      [
        `added p50 latency, c=1: Detour / ${name}`,
        `${ms(d.detourAddedP50Ms)} / ${ms(a.addedP50Ms)} ms = ${ms(a.latencyRatio)}×` +
        andCopy(`${ms(copy.latencyRatio)}×`),
        ...goal("≤ 1.3×", a.latencyRatio <= 1.3),
      ],
      [
        `throughput, c=32: Detour as % of ${name}`,
        `${a.throughputPctC32.toFixed(1)} %` + andCopy(`${copy.throughputPctC32.toFixed(1)} %`),
        ...goal("≥ 85 %", a.throughputPctC32 >= 85),
      ],
      [
        `CPU per JSON request, c=32: Detour / ${name}`,
        `${us(d.cpuUsPerRequest.detour)} / ${us(d.cpuUsPerRequest[t])} µs = ${ms(a.cpuRatio)}×` +
        andCopy(`${ms(copy.cpuRatio)}×`),
        ...goal("≤ 1.2×", a.cpuRatio <= 1.2),
      ],
      [
        `streamed first byte p50, c=32: Detour − ${name}`,
        `${firstByte32("detour")} − ${firstByte32(t)} = ${ms(a.firstByteGapMsC32)} ms` +
        andCopy(`${ms(copy.firstByteGapMsC32)} ms`),
        ...goal("≤ 1 ms", a.firstByteGapMsC32 <= 1),
      ],
      ...(t === "frontedRelaying"
        ? [[
          `streamed first byte p50, c=1: Detour − ${name} (Detour's own work before it)`,
          `${ms(a.firstByteGapMsC1)} ms` + andCopy(`${ms(copy.firstByteGapMsC1)} ms`),
          "(info)",
          "",
        ]]
        : []),
      [
        `peak RSS (VmHWM): Detour / ${name}`,
        `${mb(r.peakRssKb.detour)} / ${mb(r.peakRssKb[t])} = ${ms(a.rssRatio)}×` +
        andCopy(`${ms(copy.rssRatio)}×`),
        ...goal("≤ 1.15×", a.rssRatio <= 1.15),
      ],
    ];
  };
  const goals = table(["figure", "value", "target", ""], [
    [
      "added p50 latency, c=1: Detour / minimal proxy",
      `${ms(d.detourAddedP50Ms)} / ${ms(d.minimalAddedP50Ms)} ms = ${ms(d.addedLatencyRatio)}×`,
      "(info)",
      "",
    ],
    [
      "added p50 latency, c=32: Detour / minimal proxy",
      `${ms(d.detourAddedP50MsC32)} / ${ms(d.minimalAddedP50MsC32)} ms = ${
        ms(d.addedLatencyRatioC32)
      }×`,
      "(info)",
      "",
    ],
    [
      "throughput, c=32: Detour as % of minimal proxy",
      `${d.throughputPctC32.toFixed(1)} %`,
      "(info)",
      "",
    ],
    [
      "throughput, c=1: Detour as % of minimal proxy",
      `${d.throughputPctC1.toFixed(1)} %`,
      "(info)",
      "",
    ],
    [
      "floor: buffering proxy's added p50, c=1, / minimal proxy's",
      `${ms(d.againstFloor.buffering.addedP50Ms)} / ${ms(d.minimalAddedP50Ms)} ms = ${
        ms(d.bufferingLatencyRatio)
      }×`,
      "(info)",
      "",
    ],
    [
      "floor: buffering proxy's throughput, c=32, as % of minimal proxy",
      `${d.bufferingThroughputPctC32.toFixed(1)} %`,
      "(info)",
      "",
    ],
    [
      "CPU per JSON request, c=32, and peak RSS (VmHWM): minimal proxy",
      `${us(d.cpuUsPerRequest.minimal)} µs; ${mb(r.peakRssKb.minimal)}`,
      "(info)",
      "",
    ],
    ...againstFloor("buffering", "buffering proxy", true),
    ...againstFloor("fronted", "buffering proxy behind the front", false),
    ...againstFloor("frontedRelaying", "relaying proxy behind the front", true),
    [
      "peak RSS growth under load (peak − idle): Detour / buffering proxy (behind the front; " +
      "minimal proxy)",
      `${mb(growth.detour)} / ${mb(growth.buffering)} = ${ms(d.rssGrowthRatio)}× (${
        mb(growth.fronted)
      }; ${mb(growth.minimal)})`,
      "(info)",
      "",
    ],
    [
      "idle RSS (VmRSS once healthy, before warm-up): Detour (minimal proxy; buffering proxy; " +
      "behind the front; relaying behind the front)",
      `${mb(idle.detour)} (${mb(idle.minimal)}; ${mb(idle.buffering)}; ${mb(idle.fronted)}; ${
        mb(idle.frontedRelaying)
      })`,
      "(info)",
      "",
    ],
    [
      "failover 429 → backup, extra p50 over 429 + backup direct",
      `${ms(f.detour.latency.p50)} − (${ms(f.direct429.latency.p50)} + ${
        ms(f.directBackup.latency.p50)
      }) = ${ms(f.extraP50Ms)} ms`,
      "< 2 ms",
      mark(f.extraP50Ms < 2),
    ],
    [
      "… of which beyond Detour's plain hop (c=1 added p50)",
      `${ms(f.extraOverHopP50Ms)} ms`,
      "(info)",
      "",
    ],
    [
      "primary cooling vs backup-only Detour, p50",
      `${ms(c.detourCooling.latency.p50)} vs ${ms(c.detourBackupOnly.latency.p50)} ms (${
        c.diffP50Ms >= 0 ? "+" : ""
      }${ms(c.diffP50Ms)} ms)`,
      "≈ 0 (≤ 0.5 ms)",
      mark(c.diffP50Ms <= 0.5),
    ],
  ]);
  const m = r.meta;
  const busy = typeof m.cpuBusyPercentBefore === "number"
    ? `${m.cpuBusyPercentBefore.toFixed(0)} %`
    : "n/a";
  const notes = [
    `Failover method: ${f.method}. The primary (429 mock) was tried first on ${f.primaryHits} of ` +
    `${f.requests} failover requests and on ${c.primaryHits} of ${c.requests} while cooling.`,
    "The minimal proxy streams the request body through unread; Detour buffers it (to resend " +
    "it on fallback) and parses it (malformed JSON is refused before anything is forwarded). " +
    "The buffering proxy does just that and nothing more: the floor those two rules set.",
    "The buffering proxy behind the front is the same proxy served through Detour's front " +
    "listener (lib/server/listen.ts: header, body and idle timeouts and a connection cap, " +
    "relayed over a second loopback hop to Deno.serve, which has none of them): the floor for a " +
    "self-hosted Deno proxy bound by the hardening rules. The relaying proxy behind the front " +
    "also reads the answer chunk by chunk in JavaScript, as any proxy must that falls back on a " +
    "JSON answer cut short and counts its usage, or watches a stream's events before content and " +
    "guards it after: the floor of every rule Detour's answers meet, against which its own work " +
    "is judged in the last five marked rows. The first targets stay against the buffering proxy.",
    "Its copy is a second process of that floor, measured as one more target: the copy's figure " +
    "beside each of Detour's is what two identical proxies differ by in this run, so a gap no " +
    "larger than the copy's is within the noise.",
    `Request body ${m.bodyBytes} bytes (Claude Code–shaped), ${m.rounds} rounds per figure with ` +
    `the target order rotated; samples per target: c=1 ${m.c1Samples}, c=32 ${m.c32Samples}, ` +
    `streams ${m.streamSamples}. Stream: ${m.streamShape}. Percentiles are nearest-rank.`,
    `Machine: ${m.cpus} CPUs, Deno ${m.deno}; CPUs ${busy} busy in the second before the run ` +
    `(other processes competing for the CPUs skew every figure). ` +
    `Raw numbers: bench/results.json.`,
  ];
  const problems = r.problems.length
    ? "\n## Problems\n\n" + r.problems.map((p) => `- ${p}`).join("\n") + "\n"
    : "";
  return [
    "# Detour overhead benchmark",
    "",
    "## Non-streaming (POST /v1/messages?beta=true)",
    "",
    load,
    "",
    "## Streaming (time to first body byte and to the end of the stream)",
    "",
    stream,
    "",
    "## Against the targets",
    "",
    goals,
    "",
    ...notes.map((n) => `- ${n}`),
    problems,
  ].join("\n");
}
