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
/** Idle checks per idle limit (see `guardStream`). */
const IDLE_CHECKS = 4;

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
  // The last chunks covering TAIL bytes, decoded once at the end: a stream runs to thousands
  // of chunks, and decoding each one as it passed cost more than relaying it.
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let i = 0;
  let ended = false;
  let idled = false;
  const tailText = () => {
    const all = new Uint8Array(keptBytes);
    let offset = 0;
    for (const c of kept) {
      all.set(c, offset);
      offset += c.byteLength;
    }
    return latin1.decode(all.subarray(Math.max(0, keptBytes - TAIL)));
  };
  const remember = (chunk: Uint8Array) => {
    kept.push(chunk);
    keptBytes += chunk.byteLength;
    while (kept.length > 1 && keptBytes - kept[0].byteLength >= TAIL) {
      keptBytes -= kept.shift()!.byteLength;
    }
  };
  // One idle check per stream, every quarter of the limit, instead of a timer per chunk: the
  // same read still pending on more than IDLE_CHECKS checks in a row has waited at least
  // `idleMs` (and at most a quarter more). A slow client is not counted: while it does not
  // pull, no read is pending.
  let reads = 0;
  let reading = false;
  let seenRead = -1;
  let strikes = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const checkIdle = () => {
    if (reading && seenRead === reads) strikes++;
    else {
      seenRead = reads;
      strikes = reading ? 1 : 0;
    }
    if (strikes > IDLE_CHECKS) {
      idled = true;
      reader.cancel("idle").catch(() => {});
      return;
    }
    idleTimer = setTimeout(checkIdle, idleMs / IDLE_CHECKS);
  };
  const finish = (end: StreamEnd, detail?: string) => {
    if (ended) return;
    ended = true;
    clearTimeout(idleTimer);
    onEnd(end, detail, tailText());
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
      if (idleMs > 0 && idleTimer === undefined) {
        idleTimer = setTimeout(checkIdle, idleMs / IDLE_CHECKS);
      }
      reads++;
      reading = true;
      try {
        const { done, value } = await reader.read();
        reading = false;
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
        const last = lastEventType(tailText());
        if (last === "message_stop") finish("complete");
        else if (last === "error") finish("upstream_error");
        else {
          controller.enqueue(sseErrorEvent("upstream stream ended before message_stop"));
          finish("broken", "ended before message_stop");
        }
        controller.close();
      } catch (err) {
        reading = false;
        if (ended) return;
        if (idled) {
          // The idle check cancelled the read: say so, as when the read came back empty.
          controller.enqueue(sseErrorEvent(`upstream sent nothing for ${idleMs} ms`));
          controller.close();
          finish("broken", `idle for ${idleMs} ms`);
          return;
        }
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
