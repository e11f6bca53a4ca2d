/**
 * The concurrency-scale phase: hundreds of Claude Code streams open at once (100 kB request
 * bodies, long streams), and memory per open stream for Detour, the minimal, the buffering and
 * the relaying proxy, each a fresh process per wave. One variant's upstream sends tiny events (pings every
 * 2 ms before content, then 2 ms deltas): its memory per stream must stay bounded.
 */
import { claudeCodeBody, claudeCodeHeaders, MESSAGES_PATH } from "./claude_code_request.ts";
import { runBatch } from "./load.ts";
import { type Child, cpuMs, peakRssKb, rssKb, stop } from "./procs.ts";
import {
  type ProviderSeed,
  startDetour,
  startMinimal,
  startMock,
  type StreamShape,
} from "./servers.ts";

/**
 * The proxies compared here: the relaying proxy is the buffering proxy reading every chunk of the
 * answer in JavaScript (the floor for a proxy that watches its streams, as Detour must).
 */
export type ScaleTarget = "detour" | "minimal" | "buffering" | "relaying";

/** One wave of concurrent streams: its upstream shape and how many at once. */
export interface ScaleVariant {
  name: string;
  streams: number;
  shape: StreamShape;
}

/** Long streams: 40 deltas 200 ms apart (8 s), so every stream of a wave is open at once. */
const LONG: StreamShape = { deltas: 40, deltaMs: 200 };
/**
 * A wave's streams start spread over this long, as a team's turns do (and not all bodies in
 * flight in the same millisecond); every stream outlasts it.
 */
const RAMP_MS = 2000;
/** Tiny events: 500 pings 2 ms apart before content, then 1,000 deltas 2 ms apart (3 s). */
const TINY: StreamShape = { deltas: 1000, deltaMs: 2, pings: 500, pingMs: 2 };

/** The default waves; `--scale-1000` adds 1,000 streams, `--scale=200,500` picks the counts. */
export function scaleVariants(args: readonly string[]): ScaleVariant[] {
  const picked = args.find((a) => a.startsWith("--scale="))?.slice(8).split(",").map(Number);
  const counts = picked?.filter((n) => Number.isInteger(n) && n > 0) ?? [200, 500];
  if (args.includes("--scale-1000") && !counts.includes(1000)) counts.push(1000);
  return [
    ...counts.map((n) => ({ name: `${n} long streams`, streams: n, shape: LONG })),
    { name: "100 streams of tiny events", streams: 100, shape: TINY },
  ];
}

/** What one target did in one wave. */
export interface ScaleFigures {
  /** The most streams open (first byte read, end not yet) at one time. */
  open: number;
  completed: number;
  errors: number;
  firstError?: string;
  /** Resident set size after warm-up (VmRSS), and the peak (VmHWM) after the wave. */
  baselineKb: number | null;
  peakKb: number | null;
  /** (peak − baseline) / open. */
  perStreamKb: number | null;
  /** VmRSS once every stream has started (the ramp is over, none has ended yet). */
  allOpenKb: number | null;
  /** CPU time the target spent on the wave, per completed stream (ms). */
  cpuPerStreamMs: number | null;
  wallMs: number;
}

/** One wave's figures per target. */
export interface ScaleResult {
  variant: ScaleVariant;
  targets: Record<ScaleTarget, ScaleFigures>;
}

const WARMUP_REQUESTS = 200;
const STREAM_TIMEOUT_MS = 60_000;

/** Opens `n` streams at once and reads each to its end; counts how many were open together. */
async function wave(
  url: string,
  n: number,
  pid: number,
): Promise<Omit<ScaleFigures, "baselineKb" | "peakKb" | "perStreamKb" | "cpuPerStreamMs">> {
  const body = claudeCodeBody(true);
  let open = 0;
  let maxOpen = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const decoder = new TextDecoder();
  const one = async (i: number) => {
    let opened = false;
    await new Promise((r) => setTimeout(r, (i * RAMP_MS) / n));
    try {
      const res = await fetch(url + MESSAGES_PATH, {
        method: "POST",
        headers: claudeCodeHeaders(`sk-ant-api03-bench-scale-${i % 8}`),
        body: body.slice(),
        signal: AbortSignal.timeout(STREAM_TIMEOUT_MS),
      });
      if (res.status !== 200 || !res.body) {
        throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }
      let tail = "";
      for await (const chunk of res.body) {
        if (!opened) {
          opened = true;
          maxOpen = Math.max(maxOpen, ++open);
        }
        tail = (tail + decoder.decode(chunk)).slice(-200);
      }
      if (!tail.includes("event: message_stop")) throw new Error(`stream ended early: …${tail}`);
      completed++;
    } catch (err) {
      errors++;
      firstError ??= String(err);
    } finally {
      if (opened) open--;
    }
  };
  const started = performance.now();
  const all = Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  await new Promise((r) => setTimeout(r, RAMP_MS + 1000));
  const allOpenKb = await rssKb(pid);
  await all;
  const wallMs = performance.now() - started;
  return { open: maxOpen, completed, errors, firstError, wallMs, allOpenKb };
}

/** Starts one target in front of `upstream`. */
async function startTarget(
  target: ScaleTarget,
  upstream: string,
): Promise<Child & { close(): Promise<void> }> {
  if (target === "detour") {
    const primary: ProviderSeed = {
      id: "primary",
      type: "anthropic",
      baseUrl: upstream,
      passthrough: true,
    };
    // With only --allow-read, Deno hides /proc/self/limits and the derived cap is an assumed
    // ~1,000 connections: set as an operator would for this many streams.
    return await startDetour("Detour (scale)", [primary], 60, {
      MAX_CONNECTIONS: "4096",
    });
  }
  const child = await startMinimal(upstream, target);
  return { ...child, close: () => stop(child) };
}

/** One target, fresh: warmed with JSON requests, then one wave; memory read around it. */
async function measureTarget(
  target: ScaleTarget,
  upstream: string,
  streams: number,
): Promise<ScaleFigures> {
  const server = await startTarget(target, upstream);
  try {
    await runBatch(
      {
        url: server.baseUrl + MESSAGES_PATH,
        body: claudeCodeBody(false),
        headers: () => claudeCodeHeaders("sk-ant-api03-bench-scale-warmup"),
        expectStatus: 200,
      },
      WARMUP_REQUESTS,
      8,
    );
    // Let the warm-up's garbage settle before reading the baseline.
    await new Promise((r) => setTimeout(r, 300));
    const baselineKb = await rssKb(server.process.pid);
    const cpuBefore = await cpuMs(server.process.pid);
    const figures = await wave(server.baseUrl, streams, server.process.pid);
    const cpuAfter = await cpuMs(server.process.pid);
    const peakKb = await peakRssKb(server.process.pid);
    const cpuPerStreamMs = cpuBefore !== null && cpuAfter !== null && figures.completed > 0
      ? (cpuAfter - cpuBefore) / figures.completed
      : null;
    const perStreamKb = baselineKb !== null && peakKb !== null && figures.open > 0
      ? (peakKb - baselineKb) / figures.open
      : null;
    return { ...figures, baselineKb, peakKb, perStreamKb, cpuPerStreamMs };
  } finally {
    await server.close();
  }
}

/** Runs every variant against the four targets (in rotating order), each target fresh. */
export async function measureScale(
  variants: ScaleVariant[],
  progress: (msg: string) => void,
): Promise<ScaleResult[]> {
  const order: ScaleTarget[] = ["detour", "minimal", "buffering", "relaying"];
  const out: ScaleResult[] = [];
  for (const [v, variant] of variants.entries()) {
    const mock = await startMock(`mock (${variant.name})`, "ok", variant.shape);
    try {
      const targets = {} as Record<ScaleTarget, ScaleFigures>;
      for (let j = 0; j < order.length; j++) {
        const target = order[(j + v) % order.length];
        progress(`scale: ${variant.name}, ${target}`);
        targets[target] = await measureTarget(target, mock.baseUrl, variant.streams);
      }
      out.push({ variant, targets });
    } finally {
      await stop(mock);
    }
  }
  return out;
}
