/**
 * `deno task bench:cpu`: the CPU Detour spends per request, in process, with no network: the app
 * is called directly (`app.fetch`) and its upstream `fetch` answers from memory. Beside it, the
 * same loop through the buffering proxy's work (read, parse, build the upstream request), so the
 * difference is Detour's own. Noise from the network and other processes is left out, which is
 * what makes this the tool for finding where the time goes; `deno task bench` stays the measure.
 *
 *   deno task bench:cpu                       # a JSON answer, CPU µs per request
 *   deno task bench:cpu --stream              # a 206-event SSE answer
 *   deno task bench:cpu --profile             # also the 25 functions with most self time
 *   deno task bench:cpu --profile=out.cpuprofile   # … and the whole profile (Chrome DevTools)
 */
import process from "node:process";
import { Session } from "node:inspector";
import { buildApp } from "../lib/app.ts";
import { boot } from "../lib/boot.ts";
import { readEnv } from "../lib/config/env.ts";
import { arg, numArg } from "./args.ts";
import {
  baseHeaders,
  messageJson,
  streamEpilogue,
  streamPreamble,
  textDelta,
} from "./anthropic_fixtures.ts";
import { claudeCodeBody, claudeCodeHeaders, MESSAGES_PATH, MODEL } from "./claude_code_request.ts";

const REQUESTS = numArg(Deno.args, "requests", 3000);
const ROUNDS = 3;
const stream = Deno.args.includes("--stream");
const profileArg = Deno.args.find((a) => a.startsWith("--profile"));
const profileFile = profileArg?.includes("=") ? arg(Deno.args, "profile", "") : null;

const json = new TextEncoder().encode(messageJson(MODEL, 10));
const events = [
  ...streamPreamble(MODEL, 10),
  ...Array.from({ length: 200 }, (_, i) => textDelta(i)),
  ...streamEpilogue(200),
];

/** The upstream, from memory: a JSON message or an SSE stream. */
function answer(): Response {
  if (stream) {
    // A byte stream, as a fetch body is (Detour reads those into a buffer of its own); its
    // chunks are transferred when enqueued, so each answer gets copies.
    return new Response(
      new ReadableStream({
        type: "bytes",
        start(c) {
          for (const e of events) c.enqueue(e.slice());
          c.close();
        },
      }),
      { headers: baseHeaders("text/event-stream") },
    );
  }
  const headers = baseHeaders("application/json");
  headers.set("content-length", String(json.byteLength));
  return new Response(json, { headers });
}

const dir = await Deno.makeTempDir({ prefix: "detour-cpu-" });
const configFile = `${dir}/config.json`;
await Deno.writeTextFile(
  configFile,
  JSON.stringify({
    providers: [{
      id: "primary",
      type: "anthropic",
      baseUrl: "http://127.0.0.1:9",
      passthrough: true,
    }],
  }),
);
const kv = await Deno.openKv(":memory:");
const deps = await boot(
  readEnv({ KV_PATH: ":memory:", CONFIG_FILE: configFile, ADMIN_TOKEN: "bench-admin-token-cpu" }),
  kv,
  () => {},
  () => {}, // log lines are built, then dropped
);
deps.fetch = () => Promise.resolve(answer());
const app = buildApp(deps);
const info: Deno.ServeHandlerInfo<Deno.NetAddr> = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
  completed: Promise.resolve(),
};
const body = claudeCodeBody(stream);
const inbound = () =>
  new Request(`http://127.0.0.1:8000${MESSAGES_PATH}`, {
    method: "POST",
    headers: claudeCodeHeaders("sk-ant-api03-bench-cpu"),
    body: body.slice(),
  });

const decoder = new TextDecoder();
/** What the buffering proxy does with a request, against the same in-memory upstream. */
async function floor(req: Request): Promise<Response> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (typeof JSON.parse(decoder.decode(bytes))?.model !== "string") throw new Error("no model");
  const headers = new Headers(req.headers);
  headers.delete("host");
  const upstream = new Request(`http://127.0.0.1:9${MESSAGES_PATH}`, {
    method: "POST",
    headers,
    body: bytes,
    signal: req.signal,
  });
  await upstream.body?.cancel();
  return answer();
}

/** Runs `n` requests one after another; every 50, a pause lets the after-answer work run. */
async function loop(n: number, handle: (req: Request) => Promise<Response> | Response) {
  for (let i = 0; i < n; i++) {
    const res = await handle(inbound());
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 2));
  }
}

/** CPU µs per request (all threads, so garbage collection counts) over `ROUNDS` rounds. */
async function cpuPerRequest(handle: (req: Request) => Promise<Response> | Response) {
  await loop(Math.min(1000, REQUESTS), handle); // JIT warm-up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    await loop(REQUESTS, handle);
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / REQUESTS);
  }
  return rounds;
}

const detourHandler = (req: Request) => app.fetch(req, info);
const detour = await cpuPerRequest(detourHandler);
const base = await cpuPerRequest(floor);
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" / ");
console.log(
  `${stream ? "SSE answer (206 events)" : "JSON answer"}, ${REQUESTS} requests per round`,
);
console.log(`Detour          ${fmt(detour)} µs CPU per request`);
console.log(`buffering proxy ${fmt(base)} µs CPU per request`);
console.log(
  `Detour's own    ~${(Math.min(...detour) - Math.min(...base)).toFixed(0)} µs (best rounds)`,
);

if (profileArg) {
  const profile = await cpuProfile(() => loop(REQUESTS, detourHandler));
  if (profileFile) await Deno.writeTextFile(profileFile, JSON.stringify(profile));
  printTop(profile, REQUESTS);
}

await deps.close();
kv.close();
await Deno.remove(dir, { recursive: true });

/** A V8 CPU profile (the inspector's `Profiler.Profile`). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Profiles `run` with V8's sampling profiler (50 µs interval), in this process. */
async function cpuProfile(run: () => Promise<void>): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  const post = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(
        method,
        params,
        (err, result) => err ? reject(err) : resolve((result ?? {}) as Record<string, unknown>),
      )
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 50 });
  await post("Profiler.start");
  await run();
  const { profile } = await post("Profiler.stop");
  session.disconnect();
  return profile as CpuProfile;
}

/** Prints the functions with the most self time, in µs per request. */
function printTop(profile: CpuProfile, requests: number): void {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = frames.get(id)!;
    // Idle time, and the profiler's own session, are not Detour's.
    if (f.functionName === "(idle)" || f.url.includes("inspector")) return;
    const where = f.url.replace(/^.*\/(lib|routes|bench|ext:[^/]+)\//, "$1/");
    const key = `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log("\nself time, µs per request (Detour):");
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(us / requests).toFixed(1).padStart(7)}  ${key}`);
  }
}
