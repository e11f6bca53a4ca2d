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
