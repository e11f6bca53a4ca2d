/**
 * The cold-start phase: from process start to the first 200 from GET /health, for Detour (the
 * bundle `deno task start` runs, and main.ts from source as Deno Deploy runs it) and a
 * hello-world `Deno.serve`, alternated over several runs; and the time to import Detour's
 * boot-time module graph from source in a fresh process.
 */
import { freePort, spawnDeno, stop } from "./procs.ts";
import { type DetourEntry, startDetour } from "./servers.ts";
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
  hello: Summary;
  importGraph: Summary;
  samples: { detour: number[]; source: number[]; hello: number[]; importGraph: number[] };
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
  await helloStart();
  await detourStart("bundle");
  await detourStart("source");
  const samples = {
    detour: [] as number[],
    source: [] as number[],
    hello: [] as number[],
    importGraph: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    samples.hello.push(await helloStart());
    samples.detour.push(await detourStart("bundle"));
    samples.source.push(await detourStart("source"));
    samples.importGraph.push(await importGraph());
  }
  return {
    detour: summarize(samples.detour),
    source: summarize(samples.source),
    hello: summarize(samples.hello),
    importGraph: summarize(samples.importGraph),
    samples,
  };
}
