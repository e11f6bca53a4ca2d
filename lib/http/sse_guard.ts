/**
 * Relays a committed SSE stream chunk by chunk (no parsing) and makes sure it never ends
 * truncated: if the upstream breaks or stops before `message_stop`, the client gets a proper
 * SSE `error` event, as Anthropic itself would send.
 */
import { sseErrorEvent } from "./errors.ts";

/** How a relayed stream ended. */
export type StreamEnd = "complete" | "upstream_error" | "broken" | "client_closed";

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

/**
 * Replays `head`, then relays `reader`; `onEnd` fires once with how it ended and the stream's
 * last bytes (latin1; usage accounting reads the final `message_delta` there). With `idleMs`, a
 * gap longer than that between upstream chunks ends the stream with an error event.
 */
export function guardStream(
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
  onEnd: (end: StreamEnd, detail: string | undefined, tail: string) => void,
  idleMs = 0,
): ReadableStream<Uint8Array> {
  let tail = "";
  let i = 0;
  let ended = false;
  let idled = false;
  const finish = (end: StreamEnd, detail?: string) => {
    if (ended) return;
    ended = true;
    onEnd(end, detail, tail);
  };
  const remember = (chunk: Uint8Array) => {
    const start = Math.max(0, chunk.byteLength - TAIL);
    tail = (tail + latin1.decode(chunk.subarray(start))).slice(-TAIL);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i < head.length) {
        const chunk = head[i++];
        remember(chunk);
        controller.enqueue(chunk);
        return;
      }
      // An upstream that stalls mid-stream must not hold the client forever.
      const idle = idleMs > 0
        ? setTimeout(() => {
          idled = true;
          reader.cancel("idle").catch(() => {});
        }, idleMs)
        : undefined;
      try {
        const { done, value } = await reader.read();
        clearTimeout(idle);
        if (idled) {
          controller.enqueue(sseErrorEvent(`upstream sent nothing for ${idleMs} ms`));
          controller.close();
          finish("broken", `idle for ${idleMs} ms`);
          return;
        }
        if (!done) {
          remember(value);
          controller.enqueue(value);
          return;
        }
        const last = lastEventType(tail);
        if (last === "message_stop") finish("complete");
        else if (last === "error") finish("upstream_error");
        else {
          controller.enqueue(sseErrorEvent("upstream stream ended before message_stop"));
          finish("broken", "ended before message_stop");
        }
        controller.close();
      } catch (err) {
        clearTimeout(idle);
        if (ended) return;
        const detail = err instanceof Error ? err.message : String(err);
        controller.enqueue(sseErrorEvent("upstream connection lost mid-stream"));
        controller.close();
        finish("broken", detail);
      }
    },
    cancel(reason) {
      finish("client_closed");
      return reader.cancel(reason).catch(() => {});
    },
  });
}
