/**
 * Bedrock's streaming answer (`application/vnd.amazon.eventstream`: binary frames whose `chunk`
 * events carry base64 Anthropic events) re-emitted as Anthropic SSE, frame by frame as bytes
 * arrive. An exception frame (`:exception-type: throttlingException`) or a broken frame becomes
 * an Anthropic `event: error`, so the engine falls back when it comes before any content and
 * the client sees a proper error when it comes after.
 */
import type { EventStreamCodec } from "@smithy/eventstream-codec";
import { anthropicErrorBody } from "../http/errors.ts";
import { bedrockErrorFor } from "./cloud_errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The codec, loaded by the first Bedrock stream: importing @smithy's codec takes ~70 ms, which
 * every boot paid while most instances never talk to Bedrock. A cache of one immutable value,
 * shared by every stream (`decode` keeps no state; only `feed`, unused here, buffers).
 */
let codecLoad: Promise<EventStreamCodec> | null = null;

function eventCodec(): Promise<EventStreamCodec> {
  codecLoad ??= import("@smithy/eventstream-codec").then(({ EventStreamCodec }) =>
    new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s))
  );
  return codecLoad;
}

/** Frames are at most 16 MiB; anything claiming more is not an event stream. */
const MAX_FRAME = 16 * 1024 * 1024;
/** Prelude (12) + message CRC (4): the smallest possible frame. */
const MIN_FRAME = 16;

function sseEvent(name: string, data: string): Uint8Array {
  return encoder.encode(`event: ${name}\ndata: ${data}\n\n`);
}

function sseError(type: string, message: string): Uint8Array {
  return sseEvent("error", anthropicErrorBody(0, message, type));
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function headerString(headers: Record<string, { value: unknown }>, name: string): string {
  const v = headers[name]?.value;
  return typeof v === "string" ? v : "";
}

/** What one decoded frame turns into: SSE bytes, and whether the stream ends with it. */
function translateFrame(
  codec: EventStreamCodec,
  frame: Uint8Array,
): { out: Uint8Array | null; end: boolean } {
  const message = codec.decode(frame);
  const h = message.headers as Record<string, { value: unknown }>;
  const kind = headerString(h, ":message-type");
  if (kind === "event") {
    if (headerString(h, ":event-type") !== "chunk") return { out: null, end: false };
    const part = JSON.parse(decoder.decode(message.body)) as { bytes?: unknown };
    if (typeof part.bytes !== "string") return { out: null, end: false };
    const event = JSON.parse(decoder.decode(base64ToBytes(part.bytes))) as { type?: unknown };
    // Frames without a type carry nothing an SSE client could name; skip them.
    if (typeof event?.type !== "string") return { out: null, end: false };
    return { out: sseEvent(event.type, JSON.stringify(event)), end: false };
  }
  if (kind === "exception") {
    const name = headerString(h, ":exception-type");
    let message_ = "";
    try {
      const body = JSON.parse(decoder.decode(message.body));
      message_ = String(body?.message ?? body?.Message ?? "");
    } catch { /* not JSON */ }
    const mapped = bedrockErrorFor(name, 500);
    return {
      out: sseError(mapped.type, `Bedrock ${mapped.name}: ${message_ || "stream exception"}`),
      end: true,
    };
  }
  if (kind === "error") {
    const code = headerString(h, ":error-code") || "error";
    const text = headerString(h, ":error-message") || "stream error";
    const mapped = bedrockErrorFor(code, 500);
    return { out: sseError(mapped.type, `Bedrock ${code}: ${text}`), end: true };
  }
  return { out: null, end: false };
}

/** A TransformStream from event-stream bytes to Anthropic SSE bytes. */
export function eventStreamToSse(): TransformStream<Uint8Array, Uint8Array> {
  let buffer: Uint8Array = new Uint8Array(0);
  let done = false;
  const fail = (controller: TransformStreamDefaultController<Uint8Array>, why: string) => {
    done = true;
    controller.enqueue(sseError("api_error", `Bedrock stream could not be decoded: ${why}`));
    controller.terminate();
  };
  let codec: EventStreamCodec;
  return new TransformStream<Uint8Array, Uint8Array>({
    // The stream takes no chunk before `start` has settled.
    async start() {
      codec = await eventCodec();
    },
    transform(chunk, controller) {
      if (done) return;
      if (buffer.byteLength === 0) buffer = chunk;
      else {
        const joined = new Uint8Array(buffer.byteLength + chunk.byteLength);
        joined.set(buffer);
        joined.set(chunk, buffer.byteLength);
        buffer = joined;
      }
      let offset = 0;
      while (buffer.byteLength - offset >= 4) {
        const total = new DataView(buffer.buffer, buffer.byteOffset + offset, 4).getUint32(0);
        if (total < MIN_FRAME || total > MAX_FRAME) return fail(controller, "bad frame length");
        if (buffer.byteLength - offset < total) break;
        const frame = buffer.subarray(offset, offset + total);
        offset += total;
        let result: { out: Uint8Array | null; end: boolean };
        try {
          result = translateFrame(codec, frame);
        } catch (err) {
          return fail(controller, err instanceof Error ? err.message : String(err));
        }
        if (result.out) controller.enqueue(result.out);
        if (result.end) {
          done = true;
          controller.terminate();
          return;
        }
      }
      // Keep only the unread tail (a copy, so the consumed chunk can be collected).
      buffer = offset === 0 ? buffer : buffer.slice(offset);
    },
    flush(controller) {
      if (!done && buffer.byteLength > 0) {
        controller.enqueue(sseError("api_error", "Bedrock stream ended inside a frame"));
      }
    },
  });
}

/** The SSE response for a Bedrock event-stream response (status and headers kept). */
export function bedrockStreamResponse(upstream: Response): Response {
  const headers = new Headers(upstream.headers);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.delete("content-length");
  const requestId = upstream.headers.get("x-amzn-requestid");
  if (requestId && !headers.has("request-id")) headers.set("request-id", requestId);
  return new Response(upstream.body!.pipeThrough(eventStreamToSse()), {
    status: upstream.status,
    headers,
  });
}
