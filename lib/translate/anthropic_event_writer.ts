/**
 * The Anthropic side of a translated stream: `message_start` once, then content blocks with
 * consecutive indexes (text and thinking as they arrive, tool_use whole), then the end or an
 * error. One writer per stream; it keeps no per-chunk objects of its own.
 */
import type { Json } from "../json_shape.ts";
import { messageId } from "./openai_fields.ts";
import { namedEvent } from "./sse.ts";

/** A block that streams in pieces. */
export type StreamedBlock = "text" | "thinking";

/** Writes Anthropic SSE events to one stream's controller. */
export class AnthropicEventWriter {
  /** Whether `message_start` has gone out. */
  started = false;
  /** The upstream's message id, reported in `message_start`. */
  id: unknown = null;
  /** The model reported in `message_start`. */
  model: string;
  #out: TransformStreamDefaultController<Uint8Array>;
  #signature: string;
  #nextIndex = 0;
  #openKind: StreamedBlock | null = null;
  #openIndex = 0;

  /** A writer to `out`; `signature` closes every thinking block. */
  constructor(out: TransformStreamDefaultController<Uint8Array>, model: string, signature: string) {
    this.#out = out;
    this.model = model;
    this.#signature = signature;
  }

  /** One named event. */
  emit(name: string, data: unknown): void {
    this.#out.enqueue(namedEvent(name, data));
  }

  /** Sends `message_start`, once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.emit("message_start", {
      type: "message_start",
      message: {
        id: messageId(this.id),
        type: "message",
        role: "assistant",
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  /** Closes the open text or thinking block (a thinking block gets its signature first). */
  closeBlock(): void {
    if (this.#openKind === null) return;
    const index = this.#openIndex;
    if (this.#openKind === "thinking") {
      this.emit("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: this.#signature },
      });
    }
    this.emit("content_block_stop", { type: "content_block_stop", index });
    this.#openKind = null;
  }

  /** Appends text to a block of `kind`, opening one (and closing the other kind) as needed. */
  append(kind: StreamedBlock, text: string): void {
    if (!text) return;
    this.start();
    if (this.#openKind !== kind) {
      this.closeBlock();
      this.#openKind = kind;
      this.#openIndex = this.#nextIndex++;
      this.emit("content_block_start", {
        type: "content_block_start",
        index: this.#openIndex,
        content_block: kind === "text"
          ? { type: "text", text: "" }
          : { type: "thinking", thinking: "", signature: "" },
      });
    }
    this.emit("content_block_delta", {
      type: "content_block_delta",
      index: this.#openIndex,
      delta: kind === "text"
        ? { type: "text_delta", text }
        : { type: "thinking_delta", thinking: text },
    });
  }

  /** A complete tool_use block: start, its whole input as one delta, stop. */
  toolUse(id: string, name: string, input: Json): void {
    this.start();
    const index = this.#nextIndex++;
    this.emit("content_block_start", {
      type: "content_block_start",
      index,
      content_block: { type: "tool_use", id, name, input: {} },
    });
    this.emit("content_block_delta", {
      type: "content_block_delta",
      index,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
    });
    this.emit("content_block_stop", { type: "content_block_stop", index });
  }

  /** An `error` event. */
  error(type: string, message: string): void {
    this.emit("error", { type: "error", error: { type, message } });
  }

  /** `message_delta` with the stop reason and usage, then `message_stop`. */
  end(stopReason: string, usage: Json): void {
    this.emit("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage,
    });
    this.emit("message_stop", { type: "message_stop" });
  }
}
