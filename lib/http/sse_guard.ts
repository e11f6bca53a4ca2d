/**
 * Relays a committed SSE stream chunk by chunk (no parsing) and makes sure it never ends
 * truncated: if the upstream breaks or stops before `message_stop`, the client gets a proper
 * SSE `error` event, as Anthropic itself would send.
 */
import { sseErrorEvent } from "./errors.ts";

/** How a relayed stream ended. */
export type StreamEnd = "complete" | "upstream_error" | "broken" | "client_closed";

const TAIL = 96;
const latin1 = new TextDecoder("latin1");

/** Replays `head`, then relays `reader`; `onEnd` fires once with how it ended. */
export function guardStream(
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
  onEnd: (end: StreamEnd, detail?: string) => void,
): ReadableStream<Uint8Array> {
  let tail = "";
  let i = 0;
  let ended = false;
  const finish = (end: StreamEnd, detail?: string) => {
    if (ended) return;
    ended = true;
    onEnd(end, detail);
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
      try {
        const { done, value } = await reader.read();
        if (!done) {
          remember(value);
          controller.enqueue(value);
          return;
        }
        if (tail.includes("message_stop")) finish("complete");
        else if (tail.includes("event: error")) finish("upstream_error");
        else {
          controller.enqueue(sseErrorEvent("upstream stream ended before message_stop"));
          finish("broken", "ended before message_stop");
        }
        controller.close();
      } catch (err) {
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
