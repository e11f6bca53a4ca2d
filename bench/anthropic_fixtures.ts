/** Realistic Anthropic Messages API answers for the mock upstream: JSON, SSE and errors. */

const encoder = new TextEncoder();

/** A random id in Anthropic's style (`msg_…`, `req_…`). */
export function anthropicId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 24);
}

/** Headers every mock answer carries, as the real API sends them. */
export function baseHeaders(contentType: string): Headers {
  return new Headers({
    "content-type": contentType,
    "request-id": anthropicId("req_"),
    "anthropic-organization-id": "00000000-0000-4000-8000-00000000bec4",
    "anthropic-ratelimit-requests-limit": "4000",
    "anthropic-ratelimit-requests-remaining": "3999",
    "anthropic-ratelimit-requests-reset": new Date(Date.now() + 60_000).toISOString(),
    "via": "1.1 google",
  });
}

const WORDS = "The quick brown fox jumps over the lazy dog while the build finishes. ".split(" ");

/** The non-streaming answer: a small assistant text message. */
export function messageJson(model: string, inputTokens: number): string {
  return JSON.stringify({
    id: anthropicId("msg_"),
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text: "I'll look at the failing test first, then fix the import." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 16,
    },
  });
}

function event(name: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The events before any content: message_start, content_block_start and ping. */
export function streamPreamble(model: string, inputTokens: number): Uint8Array[] {
  return [
    event("message_start", {
      type: "message_start",
      message: {
        id: anthropicId("msg_"),
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    }),
    event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),
    event("ping", { type: "ping" }),
  ];
}

/** A ping event, as Anthropic sends them to keep a long stream alive. */
export function pingEvent(): Uint8Array {
  return event("ping", { type: "ping" });
}

/** One text_delta event; `i` picks the word so deltas differ like real ones. */
export function textDelta(i: number): Uint8Array {
  return event("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: WORDS[i % WORDS.length] + " " },
  });
}

/** The closing events: content_block_stop, message_delta and message_stop. */
export function streamEpilogue(outputTokens: number): Uint8Array[] {
  return [
    event("content_block_stop", { type: "content_block_stop", index: 0 }),
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
    event("message_stop", { type: "message_stop" }),
  ];
}

/** Anthropic's 429 error body. */
export function rateLimitJson(): string {
  return JSON.stringify({
    type: "error",
    error: {
      type: "rate_limit_error",
      message:
        "This request would exceed the rate limit for your organization. Please try again later.",
    },
  });
}
