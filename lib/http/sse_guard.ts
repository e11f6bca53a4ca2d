/**
 * Relays a committed SSE stream chunk by chunk (no parsing) and makes sure it never ends
 * truncated: if the upstream breaks or stops before `message_stop`, the client gets a proper
 * SSE `error` event, as Anthropic itself would send.
 */
import { ByteTail } from "./byte_tail.ts";
import { sseErrorEvent } from "./errors.ts";
import { IdleWatch, isKeepAlive } from "./idle_watch.ts";

/**
 * How a relayed stream ended; `shutdown`: Detour ended it, out of its shutdown grace (not the
 * upstream's fault).
 */
export type StreamEnd = "complete" | "upstream_error" | "broken" | "client_closed" | "shutdown";

/** What a client is told when Detour ends its stream to shut down: retryable, as a 529 is. */
const SHUTDOWN_MESSAGE = "Detour is shutting down; retry the request";

/**
 * Bytes kept from the end of the stream: enough for the final `message_delta` (its usage) and
 * `message_stop` of any sane stream.
 */
const TAIL = 2048;
const latin1 = new TextDecoder("latin1");

/**
 * The type of the last complete event in `tail` (its `event:` line, else its JSON `type`).
 * Only a whole event counts, so text that merely mentions "message_stop" does not: inside a
 * `data:` line, JSON escapes every newline, and an event needs a line of its own.
 */
export function lastEventType(tail: string): string | null {
  // A finished stream ends with a blank line; the last block must also be preceded by one
  // inside the tail, or it may be cut at the front.
  if (!/\r?\n\r?\n$/.test(tail)) return null;
  const blocks = tail.split(/\r?\n\r?\n/).filter((b) => b.trim() !== "");
  if (blocks.length < 2) return null;
  const lines = blocks[blocks.length - 1].split(/\r?\n/);
  const event = lines.find((l) => l.startsWith("event:"));
  if (event) return event.slice(6).trim();
  const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
  try {
    const type = JSON.parse(data)?.type;
    return typeof type === "string" ? type : null;
  } catch {
    return null;
  }
}

/** The stream's last TAIL bytes, decoded once at the end: a stream runs to thousands of chunks,
 * and decoding each one as it passed cost more than relaying it. */
class Tail extends ByteTail {
  constructor() {
    super(TAIL);
  }

  text(): string {
    return latin1.decode(this.bytes());
  }
}

/** How a stream that ran to its end ended, by its last event; `error` is what to append. */
function endOfStream(tail: string): { end: StreamEnd; detail?: string; error?: string } {
  const last = lastEventType(tail);
  if (last === "message_stop") return { end: "complete" };
  if (last === "error") return { end: "upstream_error" };
  return {
    end: "broken",
    detail: "ended before message_stop",
    error: "upstream stream ended before message_stop",
  };
}

type Controller = ReadableStreamDefaultController<Uint8Array>;

/** Calls `stop` once when `signal` aborts (at once if it has); returns how to stop listening. */
function onAbort(signal: AbortSignal | undefined, stop: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    stop();
    return () => {};
  }
  signal.addEventListener("abort", stop, { once: true });
  return () => signal.removeEventListener("abort", stop);
}

/**
 * Replays `head`, then relays `reader`; `onEnd` fires once with how it ended and the stream's
 * last bytes (latin1; usage accounting reads the final `message_delta` there). With `idleMs`, a
 * stretch longer than that without content from upstream (nothing, or only pings)
 * ends the stream with an error event. When `shutdown` aborts (Detour's grace is over), the
 * stream ends with an `overloaded_error` event, which clients retry, unless it already ended.
 */
export function guardStream(
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
  onEnd: (end: StreamEnd, detail: string | undefined, tail: string) => void,
  idleMs = 0,
  shutdown?: AbortSignal,
): ReadableStream<Uint8Array> {
  const tail = new Tail();
  let i = 0;
  let ended = false;
  // An upstream that stalls (or only pings) mid-stream must not hold the client forever.
  const idle = new IdleWatch(idleMs, () => reader.cancel("idle").catch(() => {}));
  // One listener per stream, not a check per chunk: cancelling the read wakes the pull below.
  let stopping = false;
  const unlisten = onAbort(shutdown, () => {
    stopping = true;
    reader.cancel("shutting down").catch(() => {});
  });
  const finish = (end: StreamEnd, detail?: string) => {
    if (ended) return;
    ended = true;
    idle.stop();
    unlisten();
    onEnd(end, detail, tail.text());
  };
  const fail = (c: Controller, msg: string, detail: string, end: StreamEnd = "broken") => {
    c.enqueue(sseErrorEvent(msg, end === "shutdown" ? "overloaded_error" : "api_error"));
    c.close();
    finish(end, detail);
  };
  const endIdle = (c: Controller) =>
    fail(c, `upstream sent nothing for ${idleMs} ms`, `idle for ${idleMs} ms`);
  const endShutdown = (c: Controller) => fail(c, SHUTDOWN_MESSAGE, "Detour shut down", "shutdown");
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i < head.length) {
        const chunk = head[i++];
        tail.remember(chunk);
        controller.enqueue(chunk);
        // Replayed: the stream no longer holds the head (the caller keeps what it needs).
        if (i === head.length) head = [];
        return;
      }
      idle.reading();
      try {
        const { done, value } = await reader.read();
        if (idle.idled) return endIdle(controller);
        if (!done) {
          idle.got(!isKeepAlive(value));
          tail.remember(value);
          controller.enqueue(value);
          return;
        }
        idle.settled();
        const { end, detail, error } = endOfStream(tail.text());
        // Cut by the shutdown rather than ended by the upstream: say so.
        if (error && stopping) return endShutdown(controller);
        if (error) controller.enqueue(sseErrorEvent(error));
        finish(end, detail);
        controller.close();
      } catch (err) {
        idle.settled();
        if (ended) return;
        // The idle check cancelled the read: say so, as when the read came back empty.
        if (idle.idled) return endIdle(controller);
        if (stopping) return endShutdown(controller);
        const detail = err instanceof Error ? err.message : String(err);
        fail(controller, "upstream connection lost mid-stream", detail);
      }
    },
    cancel(reason) {
      finish("client_closed");
      return reader.cancel(reason).catch(() => {});
    },
  });
}
