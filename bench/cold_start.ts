/**
 * The cold-start phase: from process start to the first 200 from GET /health, for Detour (the
 * bundle `deno task start` runs, and main.ts from source as Deno Deploy runs it), the floor of
 * the rules for a start (bench/buffering_proxy.ts `--front --relay --kv`, bundled: the front
 * listener, a KV file and a zod-checked config, all the project's rules ask of a server before it
 * answers) and a hello-world `Deno.serve`, alternated over several runs; and the time to import
 * Detour's boot-time module graph from source in a fresh process.
 */
import { freePort, spawnDeno, stop } from "./procs.ts";
import { buildFloorBundle, type DetourEntry, FLOOR_BUNDLE, startDetour } from "./servers.ts";
import { summarize, type Summary } from "./stats.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname;
const REPO_DIR = new URL("..", import.meta.url).pathname;
const RUNS = 7;
/** Polling /health this often bounds the measuring error. */
const POLL_MS = 2;
const TIMEOUT_MS = 30_000;

/** Cold-start figures in milliseconds. */
export interface ColdStart {
  /** The bundle `deno task start` runs. */
  detour: Summary;
  /** main.ts from source, as Deno Deploy runs it. */
  source: Summary;
  /** The floor of the rules for a start, bundled. */
  floor: Summary;
  hello: Summary;
  importGraph: Summary;
  samples: {
    detour: number[];
    source: number[];
    floor: number[];
    hello: number[];
    importGraph: number[];
  };
}

/** Polls `baseUrl`/health until it answers 200; the milliseconds since `started`. */
async function firstHealth(baseUrl: string, started: number): Promise<number> {
  while (performance.now() - started < TIMEOUT_MS) {
    try {
      const res = await fetch(`${baseUrl}/health`);
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`no /health 200 from ${baseUrl} within ${TIMEOUT_MS} ms`);
}

async function helloStart(): Promise<number> {
  const port = freePort();
  const started = performance.now();
  const child = spawnDeno({
    name: "hello",
    script: `${BENCH_DIR}hello_server.ts`,
    port,
    flags: ["--allow-net=127.0.0.1"],
    args: [`--port=${port}`],
    cwd: REPO_DIR,
  });
  try {
    return await firstHealth(child.baseUrl, started);
  } finally {
    await stop(child);
  }
}

/** The floor of the rules, with a fresh KV file as a bench Detour has. */
async function floorStart(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "detour-bench-floor-" });
  const port = freePort();
  const started = performance.now();
  const child = spawnDeno({
    name: "floor of the rules (cold start)",
    script: FLOOR_BUNDLE,
    port,
    flags: ["--allow-net=127.0.0.1", `--allow-read=${dir}`, `--allow-write=${dir}`],
    args: [
      `--port=${port}`,
      "--upstream=http://127.0.0.1:9",
      "--front",
      "--relay",
      `--kv=${dir}/floor.kv`,
    ],
    cwd: REPO_DIR,
  });
  try {
    return await firstHealth(child.baseUrl, started);
  } finally {
    await stop(child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function detourStart(entry: DetourEntry): Promise<number> {
  let ms = NaN;
  // startDetour spawns right after writing the config; `started` is taken at the spawn.
  const detour = await startDetour(
    "Detour (cold start)",
    [{
      id: "primary",
      type: "anthropic",
      baseUrl: "http://127.0.0.1:9",
      passthrough: true,
    }],
    60,
    {},
    (child, started) => firstHealth(child.baseUrl, started).then((t) => ms = t),
    entry,
  );
  await detour.close();
  return ms;
}

async function importGraph(): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${BENCH_DIR}import_graph.ts`],
    cwd: REPO_DIR,
    stdin: "null",
    stderr: "null",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

/** Runs each start `RUNS` times, alternating, after one unmeasured start of each. */
export async function measureColdStart(progress: (msg: string) => void): Promise<ColdStart> {
  progress("cold start");
  await buildFloorBundle();
  await helloStart();
  await floorStart();
  await detourStart("bundle");
  await detourStart("source");
  const samples = {
    detour: [] as number[],
    source: [] as number[],
    floor: [] as number[],
    hello: [] as number[],
    importGraph: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    samples.hello.push(await helloStart());
    samples.floor.push(await floorStart());
    samples.detour.push(await detourStart("bundle"));
    samples.source.push(await detourStart("source"));
    samples.importGraph.push(await importGraph());
  }
  return {
    detour: summarize(samples.detour),
    source: summarize(samples.source),
    floor: summarize(samples.floor),
    hello: summarize(samples.hello),
    importGraph: summarize(samples.importGraph),
    samples,
  };
}
