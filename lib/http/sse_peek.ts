/**
 * Reads the head of an Anthropic SSE stream until it knows whether the stream really started:
 * Anthropic can answer 200 and then send `event: error` (e.g. `overloaded_error`) before any
 * content, which must fall back like a 529, or a `message_delta` whose `stop_reason` is
 * `refusal` before any content block (a refused request, which another provider may answer).
 * The bytes read are kept to replay unchanged.
 */
import { createParser } from "eventsource-parser";
import { compactReader } from "./chunk_compact.ts";

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
  // Right-sized chunks: the head is held until the stream is decided, the rest relayed.
  const reader = compactReader(body);
  const chunks: Uint8Array[] = [];
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
  let bytes = 0;
  while (!decided) {
    const { done, value } = await reader.read();
    if (done) return { kind: "ended", chunks };
    chunks.push(value);
    bytes += value.byteLength;
    parser.feed(decoder.decode(value, { stream: true }));
    // A preamble this long is not Anthropic's; stop holding bytes back and let it through.
    if (bytes > maxBytes) decided = { kind: "content" };
  }
  const result = decided as Decided;
  return result.kind === "error"
    ? { ...result, chunks, reader }
    : { kind: result.kind, chunks, reader };
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
