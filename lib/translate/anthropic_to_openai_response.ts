/**
 * Anthropic Messages answers -> OpenAI Chat Completions answers, for the
 * `POST /v1/chat/completions` entry point: JSON, SSE (incremental), and errors.
 */
import { assistantParts } from "./anthropic_to_openai.ts";
import { type Json, num, obj, str, tryJson } from "../json_shape.ts";
import { dataEvent } from "./sse.ts";
import type { EventSourceMessage } from "./sse.ts";

/** Anthropic `stop_reason` -> OpenAI `finish_reason`. */
export function finishReasonFor(stop: unknown): string {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/** Anthropic usage -> OpenAI usage (cache reads and writes are prompt tokens). */
export function openAIUsage(usage: unknown): Json {
  const u = obj(usage) ?? {};
  const cached = num(u.cache_read_input_tokens) ?? 0;
  const prompt = (num(u.input_tokens) ?? 0) + cached + (num(u.cache_creation_input_tokens) ?? 0);
  const completion = num(u.output_tokens) ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function chatId(id: unknown): string {
  return `chatcmpl-${typeof id === "string" && id ? id : crypto.randomUUID()}`;
}

/** A non-streaming Anthropic message as an OpenAI chat completion. */
export function anthropicResponseToOpenAI(message: Json, created = nowSeconds()): Json {
  const { text, reasoning, toolCalls } = assistantParts(
    Array.isArray(message.content) ? message.content : [],
  );
  const msg: Json = { role: "assistant", content: text };
  if (reasoning.length) msg.reasoning_content = reasoning.join("\n");
  if (toolCalls.length) msg.tool_calls = toolCalls;
  if (message.stop_reason === "refusal") msg.refusal = msg.content ?? "";
  return {
    id: chatId(message.id),
    object: "chat.completion",
    created,
    model: str(message.model) ?? "",
    choices: [{
      index: 0,
      message: msg,
      logprobs: null,
      finish_reason: finishReasonFor(message.stop_reason),
    }],
    usage: openAIUsage(message.usage),
  };
}

/** OpenAI's error `type` for an HTTP status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** An OpenAI-format error body. */
export function openAIErrorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** An Anthropic error body (`{type:"error", error:{type, message}}`) in OpenAI's error shape. */
export function anthropicErrorToOpenAI(body: unknown, status: number): Json {
  const e = obj(obj(body)?.error);
  const message = str(e?.message) ?? str(obj(body)?.message) ?? `upstream error (HTTP ${status})`;
  return openAIErrorBody(message, openAIErrorType(status), str(e?.type) ?? null);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Anthropic SSE events -> OpenAI `chat.completion.chunk` events ending in `data: [DONE]`; a
 * usage chunk (empty `choices`) precedes it when the client asked for `include_usage`.
 * An Anthropic `error` event becomes a `data: {"error": …}` chunk, as OpenAI sends one.
 */
export function anthropicStreamToOpenAI(
  opts: { includeUsage: boolean; model?: string },
): TransformStream<EventSourceMessage, Uint8Array> {
  const chunks = new ChatChunkWriter(opts);
  return new TransformStream<EventSourceMessage, Uint8Array>({
    transform(event, controller) {
      chunks.onEvent(event, controller);
    },
    flush(controller) {
      chunks.onEnd(controller);
    },
  });
}

type ChunkController = TransformStreamDefaultController<Uint8Array>;

/** The state of one translated stream, and one method per Anthropic event type. */
class ChatChunkWriter {
  #id = chatId(null);
  #model: string;
  #created = nowSeconds();
  #includeUsage: boolean;
  #usage: Json = {};
  #ended = false;
  /** Anthropic block index -> OpenAI tool-call index. */
  #toolIndex = new Map<number, number>();
  #tools = 0;

  constructor(opts: { includeUsage: boolean; model?: string }) {
    this.#model = opts.model ?? "";
    this.#includeUsage = opts.includeUsage;
  }

  /** One Anthropic event; anything after the end, or not JSON, is skipped. */
  onEvent(event: EventSourceMessage, out: ChunkController): void {
    if (this.#ended) return;
    const data = obj(tryJson(event.data));
    if (!data) return;
    switch (event.event ?? str(data.type)) {
      case "message_start":
        return this.#messageStart(data, out);
      case "content_block_start":
        return this.#blockStart(data, out);
      case "content_block_delta":
        return this.#blockDelta(data, out);
      case "message_delta":
        Object.assign(this.#usage, obj(data.usage) ?? {});
        return this.#chunk(out, {}, finishReasonFor(obj(data.delta)?.stop_reason));
      case "message_stop":
        return this.#messageStop(out);
      case "error":
        return this.#error(data, out);
    }
  }

  /** The upstream body ended: without `message_stop`, the client gets an error chunk. */
  onEnd(out: ChunkController): void {
    if (this.#ended) return;
    out.enqueue(dataEvent(openAIErrorBody(
      "the upstream stream ended before the answer finished",
      "server_error",
    )));
  }

  #chunk(out: ChunkController, delta: Json, finishReason: string | null = null): void {
    out.enqueue(dataEvent({
      id: this.#id,
      object: "chat.completion.chunk",
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    }));
  }

  #messageStart(data: Json, out: ChunkController): void {
    const message = obj(data.message) ?? {};
    this.#id = chatId(message.id);
    this.#model = str(message.model) ?? this.#model;
    this.#usage = { ...(obj(message.usage) ?? {}) };
    this.#chunk(out, { role: "assistant", content: "" });
  }

  #blockStart(data: Json, out: ChunkController): void {
    const block = obj(data.content_block) ?? {};
    if (block.type === "tool_use") {
      const at = this.#tools++;
      this.#toolIndex.set(num(data.index) ?? -1, at);
      this.#chunk(out, {
        tool_calls: [{
          index: at,
          id: str(block.id) ?? "",
          type: "function",
          function: { name: str(block.name) ?? "", arguments: "" },
        }],
      });
    } else if (block.type === "text" && str(block.text)) {
      this.#chunk(out, { content: block.text });
    }
  }

  #blockDelta(data: Json, out: ChunkController): void {
    const delta = obj(data.delta) ?? {};
    if (delta.type === "text_delta") this.#chunk(out, { content: str(delta.text) ?? "" });
    else if (delta.type === "thinking_delta") {
      this.#chunk(out, { reasoning_content: str(delta.thinking) ?? "" });
    } else if (delta.type === "input_json_delta") {
      const at = this.#toolIndex.get(num(data.index) ?? -1);
      if (at !== undefined) {
        this.#chunk(out, {
          tool_calls: [{ index: at, function: { arguments: str(delta.partial_json) ?? "" } }],
        });
      }
    }
  }

  #messageStop(out: ChunkController): void {
    this.#ended = true;
    if (this.#includeUsage) {
      out.enqueue(dataEvent({
        id: this.#id,
        object: "chat.completion.chunk",
        created: this.#created,
        model: this.#model,
        choices: [],
        usage: openAIUsage(this.#usage),
      }));
    }
    out.enqueue(dataEvent("[DONE]"));
  }

  #error(data: Json, out: ChunkController): void {
    this.#ended = true;
    const e = obj(data.error) ?? {};
    out.enqueue(dataEvent(openAIErrorBody(
      str(e.message) ?? "upstream stream error",
      str(e.type) === "overloaded_error" ? "server_error" : str(e.type) ?? "server_error",
      str(e.type) ?? null,
    )));
  }
}
