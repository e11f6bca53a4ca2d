/**
 * A streaming request the pre-content gate holds too long: past `pingMs` with no answer, the
 * client gets its 200 and SSE headers and an Anthropic `ping` event every `pingMs`, so its idle
 * watchdog (Claude Code's: 5 minutes of silence) never fires while the engine waits for content
 * or falls back. When the engine decides, its answer follows on the same response: the client has
 * seen only pings, so the serving provider's `message_start` is still its first event. An answer
 * that is not a stream (every provider failed, or a client error) becomes one SSE `error` event.
 *
 * The fast path (an answer within `pingMs`) costs one timer per request, and its response is the
 * engine's own, untouched. A held response's headers are fixed before a provider is chosen: it
 * carries `x-detour-provider: pending` and the attempts made so far in `x-detour-attempts`; the
 * log line and request log name the provider that served.
 */
import { sseErrorEvent } from "../http/errors.ts";
import { messageToAnthropicSse } from "../translate/anthropic_sse_replay.ts";
import type { Done, EngineResult } from "./commit.ts";
import { type AttemptRecord, withDetourHeaders } from "./ledger.ts";

const PING = new TextEncoder().encode('event: ping\ndata: {"type": "ping"}\n\n');

/** The largest non-stream answer turned into SSE events (an error, or a whole message). */
const ANSWER_MAX = 8 * 1024 * 1024;

/** `run`'s result when it comes within `pingMs`; else a held response that relays it later. */
export function holdWhile(
  run: Promise<EngineResult>,
  pingMs: number,
  records: AttemptRecord[],
): Promise<EngineResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(held(run, pingMs, records)), pingMs);
    run.then((result) => {
      clearTimeout(timer);
      resolve(result);
    }, (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The held response: pings now, `run`'s answer once it has one. */
function held(run: Promise<EngineResult>, pingMs: number, records: AttemptRecord[]): EngineResult {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  // A write fails only once the client has gone; the relay below then cancels the answer.
  const ping = () => void writer.write(PING).catch(() => {});
  ping();
  const pinging = setInterval(ping, pingMs);
  const headers = new Headers({
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  withDetourHeaders(headers, "pending", records);
  const result: EngineResult = {
    response: new Response(readable, { status: 200, headers }),
    served: null,
    servedBy: null,
    attempts: records,
    done: Promise.resolve({ end: "complete", outcomes: [] }),
  };
  result.done = run.then(async (answer) => {
    clearInterval(pinging);
    // Read when the body has gone out (observe/index.ts), so the summary names the server.
    result.served = answer.served;
    result.servedBy = answer.servedBy;
    writer.releaseLock();
    const relayed = await relay(answer.response, writable);
    const done = await answer.done;
    return relayed === "stream" ? done : { ...done, end: "upstream_error" } satisfies Done;
  }, async (err) => {
    clearInterval(pinging);
    await writer.write(sseErrorEvent(`Detour failed: ${String(err)}`)).catch(() => {});
    await writer.close().catch(() => {});
    return { end: "broken", outcomes: [] } satisfies Done;
  });
  return result;
}

/**
 * Sends `answer` down the held stream: a stream as it comes, a 200 message replayed as its
 * events, anything else as one SSE `error` event with the answer's error type and message.
 */
async function relay(
  answer: Response,
  to: WritableStream<Uint8Array>,
): Promise<"stream" | "error"> {
  const type = answer.headers.get("content-type") ?? "";
  if (answer.body && type.includes("text/event-stream")) {
    // A client that left makes the pipe cancel the answer (and with it the upstream).
    await answer.body.pipeTo(to).catch(() => {});
    return "stream";
  }
  const text = await readText(answer);
  const parsed = parseJson(text);
  const events = answer.ok && parsed?.type === "message"
    ? messageToAnthropicSse(parsed)
    : [errorEventOf(answer.status, parsed)];
  const writer = to.getWriter();
  for (const e of events) await writer.write(e).catch(() => {});
  await writer.close().catch(() => {});
  return answer.ok && parsed?.type === "message" ? "stream" : "error";
}

/** The error event an error answer stands for, in Anthropic's wording. */
function errorEventOf(status: number, parsed: Record<string, unknown> | null): Uint8Array {
  const error = parsed?.error as { type?: unknown; message?: unknown } | undefined;
  const type = typeof error?.type === "string" ? error.type : "api_error";
  const message = typeof error?.message === "string"
    ? error.message
    : `upstream answered ${status}`;
  return sseErrorEvent(message, type);
}

/** The body as text, at most `ANSWER_MAX` bytes (an error or a whole message, from memory). */
async function readText(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < ANSWER_MAX) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.byteLength;
    }
  } catch { /* a cut body: what arrived is all there is */ }
  reader.cancel().catch(() => {});
  const decoder = new TextDecoder();
  return parts.map((p) => decoder.decode(p, { stream: true })).join("") + decoder.decode();
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}
