/**
 * OpenAI streaming chunks -> the Anthropic event sequence, as a TransformStream over parsed
 * SSE events. The writer (anthropic_event_writer.ts) owns the block indexes, the tool-call
 * buffer (openai_tool_calls.ts) owns the calls; this module reads chunks and decides the end.
 */
import { type Json, num, obj, tryJson } from "../json_shape.ts";
import { AnthropicEventWriter } from "./anthropic_event_writer.ts";
import { anthropicErrorType, errorMessageOf } from "./openai_errors.ts";
import {
  type FromOpenAIOptions,
  reasoningOf,
  stopReasonFor,
  textOf,
  thoughtSignatureOf,
  usageFrom,
} from "./openai_fields.ts";
import { ToolCallBuffer } from "./openai_tool_calls.ts";
import { detourSignature } from "./signature.ts";
import type { EventSourceMessage } from "./sse.ts";

/**
 * OpenAI streaming chunks -> the Anthropic event sequence: `message_start`, per block
 * `content_block_start/delta/stop` with consecutive indexes, `message_delta` (stop reason and
 * usage, which OpenAI sends last) and `message_stop`; an upstream error becomes `event: error`.
 *
 * Text and reasoning stream as they arrive. Tool-call arguments are held until the call is
 * complete (the choice finishes), then checked and sent as one `input_json_delta`: calls that
 * arrive interleaved or split mid-token, and arguments that are not valid JSON, never reach the
 * client as a broken block.
 */
export function openAIStreamToAnthropic(
  opts: FromOpenAIOptions,
): TransformStream<EventSourceMessage, Uint8Array> {
  let translation!: StreamTranslation;
  return new TransformStream<EventSourceMessage, Uint8Array>({
    start(controller) {
      translation = new StreamTranslation(controller, opts);
    },
    transform(event) {
      translation.onEvent(event);
    },
    flush() {
      translation.finish(false);
    },
  });
}

/** Reasoning collected for `onAnswer` at most (lib/store's MAX_STORED_REASONING). */
const REASONING_KEPT = 16 * 1024;

/** The state of one translated stream: what has been written, and how the answer ends. */
class StreamTranslation {
  #writer: AnthropicEventWriter;
  #tools = new ToolCallBuffer();
  #ended = false;
  #finishReason: unknown = null;
  #usage: unknown = null;
  #onAnswer: FromOpenAIOptions["onAnswer"];
  /** The reasoning so far, kept only when someone is told the answer's facts. */
  #reasoning = "";
  /** A thought signature Gemini put on a delta rather than on a tool call. */
  #messageSignature: string | undefined;

  constructor(out: TransformStreamDefaultController<Uint8Array>, opts: FromOpenAIOptions) {
    this.#writer = new AnthropicEventWriter(out, opts.model, detourSignature(opts.provider));
    this.#onAnswer = opts.onAnswer;
  }

  /** One upstream SSE event: a chunk, `[DONE]`, or anything else (keep-alives), skipped. */
  onEvent(event: EventSourceMessage): void {
    if (this.#ended) return;
    if (event.data === "[DONE]") return this.finish(true);
    const chunk = obj(tryJson(event.data));
    if (chunk) this.#onChunk(chunk);
  }

  #onChunk(chunk: Json): void {
    if (chunk.error !== undefined && chunk.error !== null) {
      const e = obj(chunk.error);
      return this.#fail(
        anthropicErrorType(num(e?.code), e?.code, e?.type),
        errorMessageOf(chunk) ?? "upstream stream error",
      );
    }
    const writer = this.#writer;
    writer.id ??= chunk.id;
    if (typeof chunk.model === "string" && !writer.started) writer.model = chunk.model;
    const u = chunk.usage ?? obj(chunk.x_groq)?.usage;
    if (obj(u)) this.#usage = u;
    const choice = obj(Array.isArray(chunk.choices) ? chunk.choices[0] : undefined);
    if (!choice) return;
    const delta = obj(choice.delta) ?? obj(choice.message) ?? {};
    writer.start();
    const reasoning = reasoningOf(delta);
    writer.append("thinking", reasoning);
    if (this.#onAnswer) {
      // Past this much the reasoning is not recorded anyway (the client keeps it).
      if (this.#reasoning.length <= REASONING_KEPT) this.#reasoning += reasoning;
      this.#messageSignature ??= thoughtSignatureOf(delta);
    }
    writer.append("text", textOf(delta.content));
    this.#tools.addAll(delta.tool_calls);
    if (choice.finish_reason === "error") {
      return this.#fail(
        "api_error",
        errorMessageOf(chunk) ?? "the upstream model failed mid-answer",
      );
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.#finishReason = choice.finish_reason;
      this.#tools.flush(writer);
    }
  }

  #fail(type: string, message: string): void {
    this.#ended = true;
    this.#writer.error(type, message);
  }

  /** Ends the answer at `[DONE]` or at the end of the upstream body (an error if unfinished). */
  finish(sawDone: boolean): void {
    if (this.#ended) return;
    const writer = this.#writer;
    if (!writer.started) {
      return this.#fail("api_error", "the upstream stream ended without an answer");
    }
    if (this.#finishReason === null && !sawDone) {
      writer.closeBlock();
      return this.#fail("api_error", "the upstream stream ended before the answer finished");
    }
    this.#tools.flush(writer);
    this.#ended = true;
    writer.end(stopReasonFor(this.#finishReason, this.#tools.emitted > 0), usageFrom(this.#usage));
    this.#tell();
  }

  /** Tells the facts of a whole answer (Gemini may sign the message, not its first call). */
  #tell(): void {
    if (!this.#onAnswer) return;
    const calls = this.#tools.written;
    if (calls[0] && !calls[0].signature) calls[0].signature = this.#messageSignature;
    this.#onAnswer({ calls, reasoning: this.#reasoning });
  }
}
