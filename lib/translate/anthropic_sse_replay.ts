/** An Anthropic message in its JSON form replayed as the Anthropic SSE event sequence. */
import { type Json, obj } from "../json_shape.ts";
import { namedEvent } from "./sse.ts";

/** An Anthropic message (non-streaming form) replayed as the Anthropic SSE sequence. */
export function messageToAnthropicSse(message: Json): Uint8Array[] {
  const events: Uint8Array[] = [];
  const emit = (name: string, data: unknown) => events.push(namedEvent(name, data));
  const content = Array.isArray(message.content) ? message.content.map(obj) : [];
  const usage = obj(message.usage) ?? {};
  emit("message_start", {
    type: "message_start",
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 0 },
    },
  });
  content.forEach((block, index) => {
    if (block) replayBlock(emit, block, index);
  });
  emit("message_delta", {
    type: "message_delta",
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence ?? null },
    usage,
  });
  emit("message_stop", { type: "message_stop" });
  return events;
}

/** One content block as its start, delta(s) and stop events. */
function replayBlock(emit: (name: string, data: unknown) => void, block: Json, index: number) {
  const empty = block.type === "text"
    ? { type: "text", text: "" }
    : block.type === "thinking"
    ? { type: "thinking", thinking: "", signature: "" }
    : { ...block, input: {} };
  emit("content_block_start", { type: "content_block_start", index, content_block: empty });
  const delta = block.type === "text"
    ? { type: "text_delta", text: block.text }
    : block.type === "thinking"
    ? { type: "thinking_delta", thinking: block.thinking }
    : { type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) };
  emit("content_block_delta", { type: "content_block_delta", index, delta });
  if (block.type === "thinking") {
    emit("content_block_delta", {
      type: "content_block_delta",
      index,
      delta: { type: "signature_delta", signature: block.signature },
    });
  }
  emit("content_block_stop", { type: "content_block_stop", index });
}
