/**
 * Reads the head of an Anthropic SSE stream until it knows whether the stream really started:
 * Anthropic can answer 200 and then send `event: error` (e.g. `overloaded_error`) before any
 * content, which must fall back like a 529, or a `message_delta` whose `stop_reason` is
 * `refusal` before any content block (a refused request, which another provider may answer).
 * The bytes read are kept to replay unchanged.
 */
import { createParser } from "eventsource-parser";
import { compactReader, HeadBuffer } from "./chunk_compact.ts";

/** How the head of a stream turned out. */
export type PeekResult =
  | { kind: "content"; chunks: Uint8Array[]; reader: ReadableStreamDefaultReader<Uint8Array> }
  | {
    kind: "error";
    chunks: Uint8Array[];
    reader: ReadableStreamDefaultReader<Uint8Array>;
    errorType: string;
    message: string;
  }
  | { kind: "refusal"; chunks: Uint8Array[]; reader: ReadableStreamDefaultReader<Uint8Array> }
  | { kind: "ended"; chunks: Uint8Array[] };

/** Events that carry no content yet: the stream may still turn out to be an error. */
const PREAMBLE = new Set(["message_start", "ping"]);

/** Reads until the first content event, an error event, or the end of the stream. */
export async function peekAnthropicStream(
  body: ReadableStream<Uint8Array>,
  maxBytes = 1 << 20,
): Promise<PeekResult> {
  // Right-sized reads; the head is held in one buffer until the stream is decided.
  const reader = compactReader(body);
  const head = new HeadBuffer();
  const decoder = new TextDecoder();
  let decided: Decided | null = null;
  const parser = createParser({
    onEvent(event) {
      if (decided) return;
      const name = event.event ?? eventTypeOf(event.data);
      if (name === "error") {
        const err = errorOf(event.data);
        decided = { kind: "error", ...err };
      } else if (name === "message_delta" && isRefusal(event.data)) {
        decided = { kind: "refusal" };
      } else if (name && !PREAMBLE.has(name)) decided = { kind: "content" };
    },
  });
  // The parser is between events (and the decoder between characters): a chunk of whole pings
  // then changes nothing it decides on, and is held without being decoded and parsed.
  let atBoundary = true;
  while (!decided) {
    const { done, value } = await reader.read();
    if (done) return { kind: "ended", chunks: [head.bytes()] };
    head.append(value);
    if (!(atBoundary && isPings(value))) {
      parser.feed(decoder.decode(value, { stream: true }));
      atBoundary = endsEvent(value);
    }
    // A preamble this long is not Anthropic's; stop holding bytes back and let it through.
    if (head.byteLength > maxBytes) decided = { kind: "content" };
  }
  const result = decided as Decided;
  const chunks = [head.bytes()];
  return result.kind === "error"
    ? { ...result, chunks, reader }
    : { kind: result.kind, chunks, reader };
}

/** Anthropic's ping event, byte for byte (as documented, and as JSON.stringify writes it). */
const PINGS = ['{"type": "ping"}', '{"type":"ping"}'].map((data) =>
  new TextEncoder().encode(`event: ping\ndata: ${data}\n\n`)
);
const LF = 10;
const CR = 13;

/** True when `chunk` is one or more whole ping events and nothing else. */
export function isPings(chunk: Uint8Array): boolean {
  const n = chunk.byteLength;
  let at = 0;
  while (at < n) {
    const ping = PINGS.find((p) => startsWith(chunk, p, at));
    if (!ping) return false;
    at += ping.byteLength;
  }
  return n > 0;
}

function startsWith(chunk: Uint8Array, bytes: Uint8Array, at: number): boolean {
  if (at + bytes.byteLength > chunk.byteLength) return false;
  for (let i = 0; i < bytes.byteLength; i++) if (chunk[at + i] !== bytes[i]) return false;
  return true;
}

/** True when `chunk` ends with a blank line: whatever was fed before it has been dispatched. */
function endsEvent(chunk: Uint8Array): boolean {
  const n = chunk.byteLength;
  return n >= 2 && chunk[n - 1] === LF && chunk[n - 2] === LF ||
    n >= 3 && chunk[n - 1] === LF && chunk[n - 2] === CR && chunk[n - 3] === LF;
}

type Decided =
  | { kind: "content" | "refusal" }
  | { kind: "error"; errorType: string; message: string };

/** A `message_delta` that ends the message as refused (before any content, a failed answer). */
function isRefusal(data: string): boolean {
  try {
    return JSON.parse(data)?.delta?.stop_reason === "refusal";
  } catch {
    return false;
  }
}

function eventTypeOf(data: string): string | undefined {
  try {
    const type = JSON.parse(data)?.type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(data: string): { errorType: string; message: string } {
  try {
    const error = JSON.parse(data)?.error;
    return {
      errorType: typeof error?.type === "string" ? error.type : "api_error",
      message: typeof error?.message === "string" ? error.message : "upstream stream error",
    };
  } catch {
    return { errorType: "api_error", message: "upstream stream error" };
  }
}
