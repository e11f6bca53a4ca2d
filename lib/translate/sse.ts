/** SSE plumbing shared by the translators: parse bytes into events, and format events. */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

/** Bytes -> SSE events, incrementally (comments such as `: OPENROUTER PROCESSING` dropped). */
export function sseEventStream(): TransformStream<Uint8Array, EventSourceMessage> {
  const decoder = new TextDecoder();
  let parser: ReturnType<typeof createParser>;
  return new TransformStream<Uint8Array, EventSourceMessage>({
    start(controller) {
      parser = createParser({ onEvent: (event) => controller.enqueue(event) });
    },
    transform(chunk) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    },
    flush() {
      const rest = decoder.decode();
      if (rest) parser.feed(rest);
      // A final event without its blank line still counts.
      parser.feed("\n\n");
    },
  });
}

const encoder = new TextEncoder();

/** One named SSE event (`event: name` + JSON data), as Anthropic streams them. */
export function namedEvent(name: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** One unnamed SSE event (`data: ...`), as OpenAI streams them. */
export function dataEvent(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/** Parses JSON, or undefined. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A plain object, or undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** A string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A fast 64-bit hex fingerprint of a string (two FNV-1a lanes): deterministic ids, not security. */
export function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
