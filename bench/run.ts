/**
 * `deno task bench`: Detour's overhead against a direct call and a minimal pass-through proxy,
 * measured side by side in one run on loopback. See bench/README.md for what each figure means.
 */
import { claudeCodeBody, claudeCodeHeaders, MESSAGES_PATH } from "./claude_code_request.ts";
import {
  type BatchResult,
  type RequestSpec,
  runBatch,
  runStreams,
  type StreamResult,
} from "./load.ts";
import { type Child, cpuBusyPercent, cpuMs, peakRssKb, rssKb, stop } from "./procs.ts";
import {
  type Floor,
  type FloorFigures,
  type LoadFigures,
  type ProxyName,
  renderMarkdown,
  type Results,
  type StreamFigures,
  TARGET_ORDER,
  type TargetName,
} from "./report.ts";
import {
  buildServerBundle,
  type Detour,
  mockCount,
  type ProviderSeed,
  startDetour,
  startMinimal,
  startMock,
  STORED_KEY,
} from "./servers.ts";
import { summarize } from "./stats.ts";
import { measureColdStart } from "./cold_start.ts";
import { measureScale, scaleVariants } from "./scale.ts";
import { renderColdStart, renderScale, scaleProblems } from "./scale_report.ts";

// Request counts per target per round. Bounded so a full run stays around a minute on 2 cores;
// many short rounds in rotating order spread bursts of noise from other processes evenly.
const ROUNDS = 10;
// Detour's latency keeps settling for several hundred requests (JIT); measure it settled.
const WARMUP = 1000;
const C1 = 80;
const C32 = 400;
const STREAMS = 4;
const STREAMS_C32 = 64;
const FAILOVER = 40;
const COOLING = 50;

const CLIENT_KEY = "sk-ant-api03-bench-client-key";
const RESULTS_FILE = new URL("./results.json", import.meta.url);
const BODY = claudeCodeBody(false);
const STREAM_BODY = claudeCodeBody(true);
const problems: string[] = [];

const progress = (msg: string) => console.error(`[bench] ${msg}`);

/** A request spec for `baseUrl`; `key` gives the client credential for request i. */
function spec(
  baseUrl: string,
  opts: { stream?: boolean; key?: (i: number) => string; status?: number; served?: string } = {},
): RequestSpec {
  const key = opts.key ?? (() => CLIENT_KEY);
  return {
    url: baseUrl + MESSAGES_PATH,
    body: opts.stream ? STREAM_BODY : BODY,
    headers: (i) => claudeCodeHeaders(key(i)),
    expectStatus: opts.status ?? 200,
    // Where Detour names the provider that served the request, it must be the expected one.
    check: opts.served === undefined ? undefined : (res) => {
      const served = res.headers.get("x-detour-provider");
      return served !== null && served !== opts.served
        ? `served by ${served}, expected ${opts.served}`
        : null;
    },
  };
}

/** Pools rounds of one target into figures; records any errors as problems. */
function pool(label: string, batches: BatchResult[]): LoadFigures {
  const samples = batches.flatMap((b) => b.latencies);
  const elapsedMs = batches.reduce((a, b) => a + b.elapsedMs, 0);
  const errors = batches.reduce((a, b) => a + b.errors, 0);
  if (errors) {
    const first = batches.find((b) => b.firstError)?.firstError;
    problems.push(`${label}: ${errors} failed requests; first: ${first}`);
  }
  // Only successful requests count towards throughput.
  return { rps: samples.length / (elapsedMs / 1000), latency: summarize(samples), samples };
}

/** Pools rounds of streamed responses into figures; records any errors as problems. */
function poolStreams(label: string, batches: StreamResult[]): StreamFigures {
  const samples = {
    ttfb: batches.flatMap((b) => b.ttfb),
    total: batches.flatMap((b) => b.total),
    chunks: batches.flatMap((b) => b.chunks),
  };
  const errors = batches.reduce((a, b) => a + b.errors, 0);
  if (errors) {
    const first = batches.find((b) => b.firstError)?.firstError;
    problems.push(`${label}: ${errors} failed streams; first: ${first}`);
  }
  return {
    ttfb: summarize(samples.ttfb),
    total: summarize(samples.total),
    chunks: summarize(samples.chunks),
    samples,
  };
}

/** Runs `ROUNDS` rounds over several measurements, rotating their order to cancel drift. */
async function inRounds<K extends string, R>(
  labels: K[],
  run: (label: K) => Promise<R>,
): Promise<Record<K, R[]>> {
  const out = Object.fromEntries(labels.map((l) => [l, [] as R[]])) as Record<K, R[]>;
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < labels.length; j++) {
      const label = labels[(j + round) % labels.length];
      out[label].push(await run(label));
    }
  }
  return out;
}

/** CPU time (ms) the process `pid` spends while `run` runs; null where unreadable. */
async function withCpu<R>(pid: number | undefined, run: () => Promise<R>) {
  const before = pid === undefined ? null : await cpuMs(pid);
  const result = await run();
  const after = pid === undefined ? null : await cpuMs(pid);
  return { result, cpuMs: before === null || after === null ? null : after - before };
}

const PROXIES = TARGET_ORDER.filter((t): t is ProxyName => t !== "direct");

/** A figure for each proxy. */
function perProxy<T>(figure: (p: ProxyName) => T): Record<ProxyName, T> {
  return Object.fromEntries(PROXIES.map((p) => [p, figure(p)])) as Record<ProxyName, T>;
}

/** Each proxy's figure read from its process (peak RSS and the like). */
async function readPerProxy<T>(
  pids: Record<ProxyName, number>,
  read: (pid: number) => Promise<T>,
): Promise<Record<ProxyName, T>> {
  const entries = await Promise.all(PROXIES.map(async (p) => [p, await read(pids[p])]));
  return Object.fromEntries(entries) as Record<ProxyName, T>;
}

/**
 * Phase 1: the same load against direct, the minimal and buffering proxies (the latter also
 * behind the front listener), and Detour. The proxies' CPU time over the c=32 rounds gives their
 * CPU per JSON request.
 */
async function measureOverhead(
  urls: Record<TargetName, string>,
  pids: Record<ProxyName, number>,
) {
  const names = Object.keys(urls) as TargetName[];
  const served = (t: TargetName) => t === "detour" ? "primary" : undefined;
  for (const t of names) {
    progress(`warm-up ${t}`);
    await runBatch(spec(urls[t], { served: served(t) }), WARMUP, 8);
    await runStreams(spec(urls[t], { stream: true }), 3);
  }
  progress("concurrency 1");
  const c1 = await inRounds(names, (t) => runBatch(spec(urls[t], { served: served(t) }), C1, 1));
  progress("concurrency 32");
  const cpu = perProxy<number | null>(() => 0);
  const c32 = await inRounds(names, async (t) => {
    const pid = t === "direct" ? undefined : pids[t];
    const run = await withCpu(pid, () => runBatch(spec(urls[t], { served: served(t) }), C32, 32));
    if (t !== "direct") {
      const sum = cpu[t];
      cpu[t] = sum === null || run.cpuMs === null ? null : sum + run.cpuMs;
    }
    return run.result;
  });
  progress("streaming");
  const streams = await inRounds(
    names,
    (t) => runStreams(spec(urls[t], { stream: true, served: served(t) }), STREAMS),
  );
  progress("streaming, concurrency 32");
  const streams32 = await inRounds(
    names,
    (t) => runStreams(spec(urls[t], { stream: true, served: served(t) }), STREAMS_C32, 32),
  );
  const perRequest = (t: ProxyName) => {
    const total = cpu[t];
    return total === null ? null : 1000 * total / (ROUNDS * C32);
  };
  return {
    targets: Object.fromEntries(names.map((t) => [t, {
      c1: pool(`${t} c=1`, c1[t]),
      c32: pool(`${t} c=32`, c32[t]),
      stream: poolStreams(`${t} streaming`, streams[t]),
      stream32: poolStreams(`${t} streaming c=32`, streams32[t]),
    }])) as Results["targets"],
    cpuUsPerRequest: perProxy(perRequest),
  };
}

/**
 * Phase 2: failover. Passthrough cooldowns are per client credential, so a fresh x-api-key per
 * request keeps the primary un-cooled: every request is a "first" 429 → backup failover.
 */
async function measureFailover(ok: Child, limited: Child, detour: Detour) {
  let seq = 0;
  const runId = crypto.randomUUID().slice(0, 8);
  const fresh = () => `sk-ant-api03-bench-failover-${runId}-${++seq}`;
  const failoverSpec = spec(detour.baseUrl, { key: fresh, served: "backup" });
  // The literal first request of a fresh Detour, cold JIT included (kept in results.json only).
  const cold = await runBatch(failoverSpec, 1, 1);
  if (cold.errors) problems.push(`failover: the first request failed: ${cold.firstError}`);
  progress("warm-up failover");
  await runBatch(failoverSpec, WARMUP, 8);
  await runBatch(spec(limited.baseUrl, { status: 429 }), WARMUP, 8);
  progress("failover");
  const before = await mockCount(limited);
  const batches = await inRounds(["direct429", "directBackup", "detour"], (label) => {
    if (label === "direct429") return runBatch(spec(limited.baseUrl, { status: 429 }), FAILOVER, 1);
    if (label === "directBackup") return runBatch(spec(ok.baseUrl), FAILOVER, 1);
    return runBatch(failoverSpec, FAILOVER, 1);
  });
  // The direct 429 batches hit the limited mock too; subtract them to count Detour's attempts.
  const primaryHits = (await mockCount(limited)) - before - ROUNDS * FAILOVER;
  return {
    direct429: pool("failover: 429 mock direct", batches.direct429),
    directBackup: pool("failover: backup mock direct", batches.directBackup),
    detour: pool("failover: Detour 429 → backup", batches.detour),
    coldFirstMs: cold.latencies[0] ?? NaN,
    requests: ROUNDS * FAILOVER,
    primaryHits,
  };
}

/** Phase 3: a primary cooling for this credential vs a Detour whose only provider is the backup. */
async function measureCooling(limited: Child, detour: Detour, backupOnly: Detour) {
  const key = () => "sk-ant-api03-bench-cooling";
  // One 429 puts the primary into cooldown (retry-after 30 s) for this credential.
  const first = await runBatch(spec(detour.baseUrl, { key, served: "backup" }), 1, 1);
  if (first.errors) problems.push(`cooling: first request failed: ${first.firstError}`);
  // The cooldown is written after the answer is sent; give the write a moment to land.
  await new Promise((r) => setTimeout(r, 300));
  progress("warm-up cooling");
  const coolingSpec = spec(detour.baseUrl, { key, served: "backup" });
  const backupSpec = spec(backupOnly.baseUrl, { served: "backup" });
  // The backup-only Detour is fresh; warm it as much as the failover one has been used.
  await runBatch(backupSpec, 2 * WARMUP, 8);
  await runBatch(coolingSpec, WARMUP / 3, 1);
  await runBatch(backupSpec, WARMUP / 3, 1);
  progress("cooling");
  const before = await mockCount(limited);
  const batches = await inRounds(
    ["cooling", "backupOnly"],
    (label) => runBatch(label === "cooling" ? coolingSpec : backupSpec, COOLING, 1),
  );
  const primaryHits = (await mockCount(limited)) - before;
  const detourCooling = pool("cooling: Detour, primary cooling", batches.cooling);
  const detourBackupOnly = pool("cooling: Detour, backup only", batches.backupOnly);
  return {
    detourCooling,
    detourBackupOnly,
    diffP50Ms: detourCooling.latency.p50 - detourBackupOnly.latency.p50,
    requests: ROUNDS * COOLING,
    primaryHits,
  };
}

/** Puts the measurements together with the figures derived from them. */
function buildResults(
  { targets, cpuUsPerRequest }: Awaited<ReturnType<typeof measureOverhead>>,
  { peakRssKb, idleRssKb }: Pick<Results, "peakRssKb" | "idleRssKb">,
  failover: Awaited<ReturnType<typeof measureFailover>>,
  cooling: Results["cooling"],
  cpuBusyPercentBefore: number | null,
): Results {
  const added = (t: TargetName, c: "c1" | "c32") =>
    targets[t][c].latency.p50 - targets.direct[c].latency.p50;
  const ratio = (a: number, b: number) => b > 0 ? a / b : NaN;
  const detourAddedP50Ms = added("detour", "c1");
  const kb = (n: number | null) => n ?? NaN;
  const rssGrowthKb = perProxy((p) => {
    const peak = peakRssKb[p];
    const idle = idleRssKb[p];
    return peak === null || idle === null ? null : peak - idle;
  });
  /** Proxy `p`'s five JSON-path figures against floor `t` (Detour's, unless told). */
  const againstFloor = (t: Floor, p: ProxyName = "detour"): FloorFigures => ({
    addedP50Ms: added(t, "c1"),
    latencyRatio: ratio(added(p, "c1"), added(t, "c1")),
    throughputPctC32: 100 * targets[p].c32.rps / targets[t].c32.rps,
    cpuRatio: ratio(kb(cpuUsPerRequest[p]), kb(cpuUsPerRequest[t])),
    firstByteGapMsC32: targets[p].stream32.ttfb.p50 - targets[t].stream32.ttfb.p50,
    firstByteGapMsC1: targets[p].stream.ttfb.p50 - targets[t].stream.ttfb.p50,
    rssRatio: ratio(kb(peakRssKb[p]), kb(peakRssKb[t])),
  });
  // What failing over would cost if Detour added nothing: the 429 answer, then the backup's.
  const unproxied = failover.direct429.latency.p50 + failover.directBackup.latency.p50;
  return {
    meta: {
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      cpus: navigator.hardwareConcurrency,
      // Other busy processes on the machine skew every figure; this makes that visible.
      cpuBusyPercentBefore,
      bodyBytes: BODY.byteLength,
      rounds: ROUNDS,
      c1Samples: ROUNDS * C1,
      c32Samples: ROUNDS * C32,
      streamSamples: ROUNDS * STREAMS,
      streamShape: "message_start, content_block_start, ping, 20 text deltas on a 5 ms " +
        "schedule, content_block_stop, message_delta, message_stop",
    },
    targets,
    peakRssKb,
    idleRssKb,
    derived: {
      minimalAddedP50Ms: added("minimal", "c1"),
      detourAddedP50Ms,
      addedLatencyRatio: ratio(detourAddedP50Ms, added("minimal", "c1")),
      minimalAddedP50MsC32: added("minimal", "c32"),
      detourAddedP50MsC32: added("detour", "c32"),
      addedLatencyRatioC32: ratio(added("detour", "c32"), added("minimal", "c32")),
      throughputPctC1: 100 * targets.detour.c1.rps / targets.minimal.c1.rps,
      throughputPctC32: 100 * targets.detour.c32.rps / targets.minimal.c32.rps,
      bufferingLatencyRatio: ratio(added("buffering", "c1"), added("minimal", "c1")),
      bufferingThroughputPctC32: 100 * targets.buffering.c32.rps / targets.minimal.c32.rps,
      cpuUsPerRequest,
      againstFloor: {
        buffering: againstFloor("buffering"),
        fronted: againstFloor("fronted"),
        frontedRelaying: againstFloor("frontedRelaying"),
      },
      floorAgainstItself: againstFloor("frontedRelaying", "floorCopy"),
      rssGrowthKb,
      rssGrowthRatio: ratio(kb(rssGrowthKb.detour), kb(rssGrowthKb.buffering)),
    },
    failover: {
      method: "a fresh x-api-key per request (passthrough cooldowns are per client " +
        "credential), so each request finds the primary un-cooled",
      ...failover,
      extraP50Ms: failover.detour.latency.p50 - unproxied,
      extraOverHopP50Ms: failover.detour.latency.p50 - unproxied - detourAddedP50Ms,
    },
    cooling,
    problems,
  };
}

/** The latency, failover and cooling phases; returns their results. */
async function measureLatency(
  track: <T extends Child>(c: T, close?: () => Promise<void>) => T,
  busyBefore: number | null,
): Promise<Results> {
  progress("starting mocks, minimal and buffering proxies (one behind the front), and Detour");
  const ok = track(await startMock("ok mock", "ok"));
  const limited = track(await startMock("429 mock", "429"));
  // Each proxy's RSS is read as soon as it answers /health: what it holds before any load.
  const idleRssKb: Partial<Results["idleRssKb"]> = {};
  const idle = async <T extends Child>(p: ProxyName, child: T): Promise<T> => {
    idleRssKb[p] = await rssKb(child.process.pid);
    return child;
  };
  const minimal = track(await idle("minimal", await startMinimal(ok.baseUrl)));
  const buffering = track(await idle("buffering", await startMinimal(ok.baseUrl, "buffering")));
  const fronted = track(await idle("fronted", await startMinimal(ok.baseUrl, "fronted")));
  const frontedRelaying = track(
    await idle("frontedRelaying", await startMinimal(ok.baseUrl, "frontedRelaying")),
  );
  // The same floor again, measured as one more target: how far apart two identical proxies land
  // in this run is the resolution of every figure judged against the floor.
  const floorCopy = track(
    await idle("floorCopy", await startMinimal(ok.baseUrl, "frontedRelaying")),
  );
  const primary: ProviderSeed = {
    id: "primary",
    type: "anthropic",
    baseUrl: ok.baseUrl,
    passthrough: true,
  };
  const backup: ProviderSeed = {
    id: "backup",
    type: "anthropic",
    baseUrl: ok.baseUrl,
    keys: [STORED_KEY],
  };
  const detour = await idle("detour", await startDetour("Detour", [primary, backup]));
  track(detour, detour.close);

  const proxies = { minimal, buffering, fronted, frontedRelaying, floorCopy, detour };
  const pids = perProxy((p) => proxies[p].process.pid);
  const overhead = await measureOverhead({
    direct: ok.baseUrl,
    ...perProxy((p) => proxies[p].baseUrl),
  }, pids);
  const rss = {
    peakRssKb: await readPerProxy(pids, peakRssKb),
    idleRssKb: perProxy((p) => idleRssKb[p] ?? null),
  };
  // Free the CPU for the next phases.
  await detour.close();
  await stop(minimal);
  await stop(buffering);
  await stop(fronted);
  await stop(frontedRelaying);
  await stop(floorCopy);

  progress("starting Detour failover and backup-only configs");
  const limitedPrimary = { ...primary, baseUrl: limited.baseUrl };
  const failoverDetour = await startDetour("Detour failover", [limitedPrimary, backup]);
  track(failoverDetour, failoverDetour.close);
  const backupOnly = await startDetour("Detour backup-only", [backup]);
  track(backupOnly, backupOnly.close);
  const failover = await measureFailover(ok, limited, failoverDetour);
  const cooling = await measureCooling(limited, failoverDetour, backupOnly);
  await failoverDetour.close();
  await backupOnly.close();

  if (failover.primaryHits !== failover.requests) {
    problems.push(
      `failover: the 429 primary saw ${failover.primaryHits} of ${failover.requests} requests`,
    );
  }
  if (cooling.primaryHits !== 0) {
    problems.push(`cooling: the cooling primary was still called ${cooling.primaryHits} times`);
  }
  return buildResults(overhead, rss, failover, cooling, busyBefore);
}

/**
 * `--only=scale` runs just the concurrency-scale and cold-start phases, `--only=cold` just the
 * cold start; `--no-scale` skips both;
 * `--scale=200,500` picks the wave sizes and `--scale-1000` adds a wave of 1,000 streams.
 */
async function main() {
  const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7);
  const children: { close(): Promise<void> }[] = [];
  const track = <T extends Child>(c: T, close = () => stop(c)): T => {
    children.push({ close });
    return c;
  };
  // Every Detour of the run starts from the bundle `deno task start` runs (unless
  // `--entry=source`), and the cold start measures both: build it from the code as it is.
  progress("building the server bundle (deno task build:server)");
  await buildServerBundle();
  const busyBefore = await cpuBusyPercent();
  try {
    const latency = only ? null : await measureLatency(track, busyBefore);
    for (const c of children.splice(0).reverse()) await c.close();
    const withScale = only === "scale" || (!only && !Deno.args.includes("--no-scale"));
    const scale = withScale ? await measureScale(scaleVariants(Deno.args), progress) : null;
    const coldStart = withScale || only === "cold" ? await measureColdStart(progress) : null;
    if (scale) problems.push(...scaleProblems(scale));
    const results = { ...(latency ?? { meta: { busyBefore }, problems }), scale, coldStart };
    await Deno.writeTextFile(RESULTS_FILE, JSON.stringify(results, roundSamples, 1) + "\n");
    const parts = latency ? [renderMarkdown(latency)] : ["# Detour benchmark"];
    if (scale) {
      parts.push(
        "## Memory per open stream (100 kB bodies, each target fresh)",
        renderScale(scale),
      );
    }
    if (coldStart) parts.push("## Cold start", renderColdStart(coldStart));
    if (!latency && problems.length) parts.push(problems.map((p) => `- ${p}`).join("\n"));
    console.log(parts.join("\n\n"));
    if (problems.length) Deno.exitCode = 1;
  } finally {
    for (const c of children.reverse()) await c.close();
  }
}

/** Microsecond precision is plenty and keeps results.json readable. */
function roundSamples(_key: string, value: unknown) {
  return typeof value === "number" && !Number.isInteger(value)
    ? Math.round(value * 1000) / 1000
    : value;
}

await main();
