/** Starts the bench's servers (mocks, proxies, Detour), each as its own process on loopback. */
import { type Child, freePort, spawnDeno, stop, waitHealthy } from "./procs.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname;
const REPO_DIR = new URL("..", import.meta.url).pathname;

/** The key the bench stores for Detour's backup provider. */
export const STORED_KEY = "sk-bench-key";

/** The shape of the mock's SSE answers (see bench/mock_upstream.ts). */
export interface StreamShape {
  deltas: number;
  deltaMs: number;
  /** Pings before the first content, `pingMs` apart. */
  pings?: number;
  pingMs?: number;
}

/** The streams of the latency phases: 20 deltas 5 ms apart. */
const SHORT_STREAMS: StreamShape = { deltas: 20, deltaMs: 5 };

/** Starts bench/mock_upstream.ts; `mode` "429" answers every request with a rate limit. */
export async function startMock(
  name: string,
  mode: "ok" | "429",
  shape: StreamShape = SHORT_STREAMS,
): Promise<Child> {
  const port = freePort();
  const child = spawnDeno({
    name,
    script: `${BENCH_DIR}mock_upstream.ts`,
    port,
    flags: ["--allow-net=127.0.0.1"],
    args: [
      `--port=${port}`,
      `--mode=${mode}`,
      `--deltas=${shape.deltas}`,
      `--delta-ms=${shape.deltaMs}`,
      `--pings=${shape.pings ?? 0}`,
      `--ping-ms=${shape.pingMs ?? 2}`,
      "--retry-after=30",
    ],
    cwd: REPO_DIR,
  });
  await waitHealthy(child);
  return child;
}

/** The proxies bench/minimal_proxy.ts and bench/buffering_proxy.ts make. */
export type ProxyKind = "minimal" | "buffering" | "relaying" | "fronted" | "frontedRelaying";

/** buffering_proxy.ts's flag for each of its kinds. */
const PROXY_FLAG: Record<ProxyKind, string[]> = {
  minimal: [],
  buffering: [],
  relaying: ["--relay"],
  fronted: ["--front"],
  frontedRelaying: ["--front", "--relay"],
};

/**
 * Starts bench/minimal_proxy.ts (or `buffering_proxy.ts`; "relaying" is the buffering proxy with
 * `--relay`, "fronted" the buffering proxy behind the front listener, `--front`, and
 * "frontedRelaying" the relaying proxy behind it, `--front --relay`) in front of
 * `upstream`. Every kind needs only loopback: the front, denied /proc/self/limits, assumes
 * Linux's descriptor limit, as a bench Detour does (lib/server/fd_limit.ts).
 */
export async function startMinimal(upstream: string, kind: ProxyKind = "minimal"): Promise<Child> {
  const port = freePort();
  const script = kind === "minimal" ? "minimal" : "buffering";
  const child = spawnDeno({
    name: `${kind} proxy`,
    script: `${BENCH_DIR}${script}_proxy.ts`,
    port,
    flags: ["--allow-net=127.0.0.1"],
    args: [`--port=${port}`, `--upstream=${upstream}`, ...PROXY_FLAG[kind]],
    cwd: REPO_DIR,
  });
  await waitHealthy(child);
  return child;
}

/** One provider entry of Detour's seed config. */
export interface ProviderSeed {
  id: string;
  type: "anthropic";
  baseUrl: string;
  passthrough?: boolean;
  keys?: string[];
}

/**
 * What a bench Detour runs: the bundle `deno task start` runs (the default), or `main.ts` from
 * source, as Deno Deploy runs it (`--entry=source`).
 */
export type DetourEntry = "bundle" | "source";

const ENTRY_FILE: Record<DetourEntry, string> = {
  bundle: `${REPO_DIR}build/server/main.js`,
  source: `${REPO_DIR}main.ts`,
};

/** The entry the bench's Detours run, from its arguments. */
export function benchEntry(args: readonly string[] = Deno.args): DetourEntry {
  return args.includes("--entry=source") ? "source" : "bundle";
}

/** Runs `deno ARGS` in the repository, quietly; throws with its stderr (as `what`) if it fails. */
async function runDeno(args: string[], what: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_DIR,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`${what} failed:\n${new TextDecoder().decode(out.stderr)}`);
}

/** Builds the bundle (`deno task build:server`), so a bench run measures the code as it is. */
export function buildServerBundle(): Promise<void> {
  return runDeno(["task", "build:server"], "deno task build:server");
}

/** Where `buildFloorBundle` writes the floor of the rules for a start (not committed). */
export const FLOOR_BUNDLE = `${REPO_DIR}build/bench/buffering_proxy.js`;

/**
 * Bundles bench/buffering_proxy.ts into build/bench/ as `deno task build:server` bundles Detour,
 * so the floor of the rules starts from a bundle too.
 */
export function buildFloorBundle(): Promise<void> {
  return runDeno(
    [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--code-splitting",
      "--outdir",
      `${REPO_DIR}build/bench`,
      `${BENCH_DIR}buffering_proxy.ts`,
    ],
    "bundling the floor",
  );
}

/** A running Detour and the temp dir holding its fresh KV file and config. */
export interface Detour extends Child {
  close(): Promise<void>;
}

/** Starts Detour (`entry`: the bundle, or main.ts) with a fresh KV file seeded from `providers`. */
export async function startDetour(
  name: string,
  providers: ProviderSeed[],
  cooldownSeconds = 60,
  extraEnv: Record<string, string> = {},
  /** Waits until it is ready; `started` is `performance.now()` at the spawn. */
  ready: (child: Child, started: number) => Promise<unknown> = (child) => waitHealthy(child),
  entry: DetourEntry = benchEntry(),
): Promise<Detour> {
  const dir = await Deno.makeTempDir({ prefix: "detour-bench-" });
  const configFile = `${dir}/config.json`;
  await Deno.writeTextFile(
    configFile,
    JSON.stringify({
      providers,
      fallbackOn: [401, 403, 408, 429, 500, 502, 503, 504, 529],
      cooldownSeconds,
    }),
  );
  const port = freePort();
  const started = performance.now();
  const child = spawnDeno({
    name,
    script: ENTRY_FILE[entry],
    port,
    // BENCH_DETOUR_FLAGS: extra `deno run` flags for Detour (e.g. `--cpu-prof --cpu-prof-dir=…`).
    flags: [
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      ...(Deno.env.get("BENCH_DETOUR_FLAGS")?.split(" ").filter(Boolean) ?? []),
    ],
    cwd: REPO_DIR,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      KV_PATH: `${dir}/detour.kv`,
      CONFIG_FILE: configFile,
      ADMIN_TOKEN: "bench-admin-token",
      // `--front=off`: Detour's own cost, without the front listener's second loopback hop.
      ...(Deno.args.includes("--front=off") ? { FRONT_LISTENER: "off" } : {}),
      ...extraEnv,
    },
  });
  const close = async () => {
    await stop(child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await ready(child, started);
  } catch (err) {
    await close();
    throw err;
  }
  return { ...child, close };
}

/** How many POST /v1/messages a mock has served so far (to prove who was called). */
export async function mockCount(mock: Child): Promise<number> {
  const res = await fetch(`${mock.baseUrl}/stats`);
  return (await res.json()).messages;
}
