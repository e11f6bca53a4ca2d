/**
 * The floor for a fallback proxy: the least any proxy can do that keeps the request body to
 * resend it on fallback and refuses malformed JSON before forwarding anything (both required of
 * Detour). Run as its own process.
 *
 *   deno run --allow-net bench/buffering_proxy.ts --port=8003 --upstream=http://127.0.0.1:8001
 *
 * Reads the whole body, parses it and reads `model`, sends the same bytes with fetch and returns
 * the upstream Response as is. No chain, no accounting: the minimal proxy plus exactly what the
 * rules oblige, so the report can tell the cost of those rules from Detour's own.
 *
 * With `--relay` it is the **relaying proxy**: the same, but the answer's body is read chunk by
 * chunk in JavaScript and handed to `Deno.serve` through a `ReadableStream`, as any proxy must
 * that watches a stream's events (Detour's pre-content gate and stream guard do). The returned
 * fetch body itself is piped by `Deno.serve` natively, so this is the price of looking at every
 * chunk, measured apart from everything else Detour does.
 *
 * With `--front` the same handler is served through `listen()` (lib/server/listen.ts) as a
 * self-hosted Detour serves: the front listener, with Detour's default header, body and idle
 * timeouts and its derived connection cap, relaying each connection over a second loopback hop
 * to `Deno.serve`. The project's hardening rules require those timeouts and that cap of any
 * self-hosted proxy, and Deno 2.9's `Deno.serve` has none, so this is the floor for a self-hosted
 * Deno proxy bound by the rules. `--allow-net=127.0.0.1` is enough: the front reads the
 * descriptor limit from /proc/self/limits, which Deno hides from anything short of --allow-all,
 * so it assumes Linux's 4096 descriptors (lib/server/fd_limit.ts), as a bench Detour does.
 *
 * With `--kv=PATH` it also keeps its config where Detour's rules put it: it opens the KV file at
 * PATH, reads the config document and checks it with Detour's zod schema (lib/store/config_store.ts;
 * an empty file: a one-provider config like the bench's), and answers `GET /health` itself, as
 * Detour must with its upstream down. `--front --relay --kv` is the floor of the rules for a start
 * (bench/cold_start.ts, bundled as Detour is): what any server bound by them does before its first
 * `/health`. It needs `--allow-read` and `--allow-write` on PATH as well.
 */
import { arg, numArg } from "./args.ts";

const port = numArg(Deno.args, "port", 0);
const upstream = arg(Deno.args, "upstream", "");
if (!upstream) throw new Error("--upstream=URL is required");
const relay = Deno.args.includes("--relay");
const front = Deno.args.includes("--front");
const kvPath = arg(Deno.args, "kv", "");
const decoder = new TextDecoder();

/** The answer with its body read in JavaScript, one chunk per pull, nothing kept. */
function relayed(res: Response): Response {
  if (!res.body) return res;
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/** Holds and parses the body, forwards the same bytes and answers with the upstream's response. */
async function handler(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  headers.delete("host");
  const body = req.body ? new Uint8Array(await req.arrayBuffer()) : null;
  if (body) {
    let model: unknown;
    try {
      model = JSON.parse(decoder.decode(body))?.model;
    } catch {
      model = undefined;
    }
    if (typeof model !== "string") return Response.json({ type: "error" }, { status: 400 });
  }
  const res = await fetch(upstream + url.pathname + url.search, {
    method: req.method,
    headers,
    body,
    signal: req.signal,
  });
  return relay ? relayed(res) : res;
}

/** Serves `serving` through the front listener, with Detour's defaults (lib/config/env.ts). */
async function serveFronted(serving: (req: Request) => Promise<Response>): Promise<void> {
  // Imported only here, so that the proxy without `--front` loads no more code than before.
  const { listen } = await import("../lib/server/listen.ts");
  const { createLogger } = await import("../lib/log.ts");
  const { readEnv } = await import("../lib/config/env.ts");
  const env = readEnv({}); // Detour's defaults, not this process's environment
  listen({
    port,
    hostname: "127.0.0.1",
    deploy: false,
    direct: false,
    // MAX_CONNECTIONS unset: the cap derived from the descriptor limit, as Detour's default.
    limits: {
      headersMs: env.HEADERS_TIMEOUT_MS,
      bodyMs: env.BODY_TIMEOUT_MS,
      idleMs: env.IDLE_TIMEOUT_MS,
    },
    // The front's warnings (failed accepts, relays) go to stderr, which the bench keeps.
    logger: createLogger("warn", console.error),
    onListen() {},
  }, serving);
}

/**
 * Opens the KV file at `path` and checks the config stored there (or a one-provider config, when
 * none is) with Detour's schema; a handler that answers `GET /health` before `next` is asked.
 */
async function withStoredConfig(
  path: string,
  next: (req: Request) => Promise<Response>,
): Promise<(req: Request) => Promise<Response>> {
  const { loadConfig } = await import("../lib/store/config_store.ts");
  const { parseStoredConfig } = await import("../lib/config/issues.ts");
  const kv = await Deno.openKv(path);
  const stored = await loadConfig(kv);
  const checked = stored ?? parseStoredConfig({
    providers: [{ id: "primary", type: "anthropic", baseUrl: upstream, passthrough: true }],
  });
  if ("error" in checked) throw new Error(`--kv: the config is invalid: ${checked.error}`);
  const health = JSON.stringify({ status: "ok", providers: checked.config.providers.length });
  return (req) =>
    req.method === "GET" && new URL(req.url).pathname === "/health"
      ? Promise.resolve(new Response(health, { headers: { "content-type": "application/json" } }))
      : next(req);
}

const serving = kvPath ? await withStoredConfig(kvPath, handler) : handler;
if (front) await serveFronted(serving);
else Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, serving);
