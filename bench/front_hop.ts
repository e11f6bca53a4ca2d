/**
 * The front listener's hop alone: `listen()` from lib/server/listen.ts (front on, or
 * FRONT_LISTENER=off) around a handler that reads a 100 kB body and streams 40 small SSE events,
 * driven by a client in another process. It reports the server process's CPU per stream and
 * memory per open stream, so a change to the front can be measured without Detour's request path
 * and upstream in the figures (they are the same with the front on or off).
 *
 *   deno run -A bench/front_hop.ts [--streams=200] [--events=40] [--event-ms=50] [--rounds=3]
 *     [--modes=front,off,before=/tmp/front-before]
 *
 * A mode is `front` (this tree), `off` (this tree, FRONT_LISTENER=off) or `name=DIR`: the front
 * of another checkout (say `git worktree add /tmp/front-before HEAD~1`), for a before/after run;
 * the modes alternate in every round, so noise from other processes spreads over all of them.
 */
import { arg, numArg } from "./args.ts";
import type * as Listen from "../lib/server/listen.ts";
import type { Logger } from "../lib/log.ts";

const args = Deno.args;
const role = arg(args, "role", "main");
const streams = numArg(args, "streams", 200);
const events = numArg(args, "events", 40);
const eventMs = numArg(args, "event-ms", 50);
const rounds = numArg(args, "rounds", 3);

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const EVENT = new TextEncoder().encode(
  `event: content_block_delta\ndata: ${
    JSON.stringify({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "x".repeat(80) },
    })
  }\n\n`,
);

/** CPU time (user + system, ms) and RSS / peak RSS (kB) of this process, from /proc. */
function usage(): { cpuMs: number; sysMs: number; rssKb: number; hwmKb: number } {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return {
    cpuMs: ticks * 10,
    sysMs: Number(fields[12]) * 10,
    rssKb: kb("VmRSS"),
    hwmKb: kb("VmHWM"),
  };
}

async function serve(direct: boolean): Promise<void> {
  const port = numArg(args, "port", 0);
  const root = arg(args, "root", new URL("..", import.meta.url).pathname);
  const { listen }: typeof Listen = await import(`${root}/lib/server/listen.ts`);
  listen({
    port,
    hostname: "127.0.0.1",
    deploy: false,
    direct,
    limits: { headersMs: 30_000, bodyMs: 30_000, idleMs: 30_000 },
    maxConnections: 4096,
    logger: silent,
    onListen: () => {},
  }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/usage") return Response.json(usage());
    // Ends the process normally, so that `--prof` (`--cpu-prof`) writes its profile.
    if (path === "/exit") setTimeout(() => Deno.exit(0), 50);
    await req.arrayBuffer();
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        timer = setInterval(() => {
          c.enqueue(EVENT);
          if (++sent === events) {
            clearInterval(timer);
            c.close();
          }
        }, eventMs);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
}

/** One round's figures: CPU per stream (all, and the kernel's part), memory per open stream. */
interface Figures {
  cpuMs: number;
  sysMs: number;
  perStreamKb: number;
}

async function drive(url: string): Promise<Figures> {
  const body = new Uint8Array(100_000).fill(0x61);
  const before = await (await fetch(`${url}/usage`)).json();
  await Promise.all(Array.from({ length: streams }, async (_, i) => {
    await new Promise((r) => setTimeout(r, (i * 1000) / streams));
    const res = await fetch(`${url}/s`, { method: "POST", body: body.slice() });
    for await (const _ of res.body!) { /* read it all */ }
  }));
  const after = await (await fetch(`${url}/usage`)).json();
  return {
    cpuMs: (after.cpuMs - before.cpuMs) / streams,
    sysMs: (after.sysMs - before.sysMs) / streams,
    perStreamKb: (after.hwmKb - before.rssKb) / streams,
  };
}

/** `--prof=DIR`: V8 CPU profiles of the servers, one file per run, in DIR. */
function prof(mode: string): string[] {
  const dir = arg(args, "prof", "");
  return dir
    ? [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${mode.split("=")[0]}-${Date.now()}.cpuprofile`,
    ]
    : [];
}

async function main(): Promise<void> {
  const modes = arg(args, "modes", "front,off").split(",");
  const self = new URL(import.meta.url).pathname;
  const rows: Record<string, Figures[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = l.addr.port;
      l.close();
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          ...prof(mode),
          self,
          `--role=${mode === "off" ? "off" : "front"}`,
          ...(mode.includes("=") ? [`--root=${mode.slice(mode.indexOf("=") + 1)}`] : []),
          `--port=${port}`,
          `--events=${events}`,
          `--event-ms=${eventMs}`,
        ],
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`${url}/usage`).then(
          (r) => r.body?.cancel().then(() => true),
          () => false,
        );
        if (ok) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      // Warm-up: the JIT and the buffer pool, as the scale phase does.
      await Promise.all(
        Array.from(
          { length: 20 },
          () => fetch(`${url}/s`, { method: "POST", body: "{}" }).then((r) => r.arrayBuffer()),
        ),
      );
      (rows[mode] ??= []).push(await drive(url));
      await fetch(`${url}/exit`).then((r) => r.body?.cancel(), () => {});
      // A profile takes a moment to write; then the child is ended whatever it is doing.
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(kill);
    }
  }
  for (const [mode, list] of Object.entries(rows)) {
    const cpu = list.map((x) => x.cpuMs.toFixed(2)).join(" ");
    const sys = list.map((x) => x.sysMs.toFixed(2)).join(" ");
    const mem = list.map((x) => x.perStreamKb.toFixed(0)).join(" ");
    console.log(
      `${mode.split("=")[0]}: CPU/stream ms [${cpu}] (system [${sys}])  kB/stream [${mem}]`,
    );
  }
}

if (role === "main") await main();
else await serve(role === "off");
