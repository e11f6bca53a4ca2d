/**
 * Mock Anthropic upstream for the benchmark, run as its own process.
 *
 *   deno run --allow-net bench/mock_upstream.ts --port=8001 [--mode=ok|429]
 *     [--deltas=20] [--delta-ms=5] [--pings=0] [--ping-ms=2] [--retry-after=30]
 *
 * POST /v1/messages answers like the real API: JSON, or SSE when the body asks for
 * `"stream": true` (deltas spaced `--delta-ms` apart so buffering proxies show up as a late
 * first byte). `--pings` ping events `--ping-ms` apart come between message_start and the first
 * content (as during long thinking), to show what tiny events cost a proxy. `--mode=429` answers every request with a rate_limit_error. GET /health is 200;
 * GET /stats counts the messages requests served, so the bench can verify who was called.
 */
import { arg, numArg } from "./args.ts";
import {
  baseHeaders,
  messageJson,
  pingEvent,
  rateLimitJson,
  streamEpilogue,
  streamPreamble,
  textDelta,
} from "./anthropic_fixtures.ts";

const args = Deno.args;
const port = numArg(args, "port", 0);
const mode = arg(args, "mode", "ok");
const deltas = numArg(args, "deltas", 20);
const deltaMs = numArg(args, "delta-ms", 5);
const pings = numArg(args, "pings", 0);
const pingMs = numArg(args, "ping-ms", 2);
const retryAfter = arg(args, "retry-after", "30");
if (mode !== "ok" && mode !== "429") throw new Error("--mode must be ok or 429");

let messagesServed = 0;

/** Cheap field reads: the mock must stay cheaper than anything it measures, so no JSON.parse. */
const STREAM_RE = /"stream"\s*:\s*true/;
const MODEL_RE = /"model"\s*:\s*"([^"]+)"/;

function sseBody(model: string, inputTokens: number): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const [start, ...preamble] = streamPreamble(model, inputTokens);
      controller.enqueue(start);
      // Pings and deltas keep to a fixed schedule from the start, so timer jitter does not pile
      // up and the total time stays comparable between targets.
      const started = performance.now();
      let pinged = 0;
      let sent = 0;
      const at = (ms: number) => setTimeout(tick, Math.max(0, started + ms - performance.now()));
      const tick = () => {
        if (pinged < pings) {
          controller.enqueue(pingEvent());
          if (++pinged < pings) timer = at((pinged + 1) * pingMs);
          else {
            for (const chunk of preamble) controller.enqueue(chunk);
            timer = at(pings * pingMs + deltaMs);
          }
          return;
        }
        if (sent < deltas) {
          controller.enqueue(textDelta(sent++));
          timer = at(pings * pingMs + (sent + 1) * deltaMs);
          return;
        }
        for (const chunk of streamEpilogue(deltas)) controller.enqueue(chunk);
        controller.close();
      };
      if (pings === 0) { for (const chunk of preamble) controller.enqueue(chunk); }
      timer = at(pings ? pingMs : deltaMs);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

async function messages(req: Request): Promise<Response> {
  // Always read the whole body, as the real API does before answering (even a 429).
  const text = await req.text();
  messagesServed++;
  if (mode === "429") {
    const headers = baseHeaders("application/json");
    headers.set("retry-after", retryAfter);
    headers.set("x-should-retry", "true");
    return new Response(rateLimitJson(), { status: 429, headers });
  }
  const model = MODEL_RE.exec(text)?.[1] ?? "claude-sonnet-4-5";
  const inputTokens = Math.ceil(text.length / 4);
  if (STREAM_RE.test(text)) {
    const headers = baseHeaders("text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    return new Response(sseBody(model, inputTokens), { headers });
  }
  return new Response(messageJson(model, inputTokens), {
    headers: baseHeaders("application/json"),
  });
}

Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (req) => {
  const { pathname } = new URL(req.url);
  if (req.method === "POST" && pathname === "/v1/messages") return messages(req);
  if (req.method === "GET" && pathname === "/health") return new Response("ok");
  if (req.method === "GET" && pathname === "/stats") {
    return Response.json({ mode, messages: messagesServed });
  }
  return new Response(
    JSON.stringify({ type: "error", error: { type: "not_found_error", message: "Not found" } }),
    { status: 404, headers: baseHeaders("application/json") },
  );
});
