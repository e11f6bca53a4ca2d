/**
 * Anthropic Messages answers -> OpenAI Chat Completions answers, for the
 * `POST /v1/chat/completions` entry point: JSON, SSE (incremental), and errors.
 */
import { assistantParts } from "./anthropic_to_openai.ts";
import { dataEvent, num, obj, str, tryJson } from "./sse.ts";
import type { EventSourceMessage } from "./sse.ts";

type Json = Record<string, unknown>;

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
  let id = chatId(null);
  let model = opts.model ?? "";
  const created = nowSeconds();
  let usage: Json = {};
  let finish: string | null = null;
  let ended = false;
  /** Anthropic block index -> OpenAI tool-call index. */
  const toolIndex = new Map<number, number>();
  let tools = 0;

  return new TransformStream<EventSourceMessage, Uint8Array>({
    transform(event, controller) {
      if (ended) return;
      const data = obj(tryJson(event.data));
      if (!data) return;
      const chunk = (delta: Json, finishReason: string | null = null) =>
        controller.enqueue(dataEvent({
          id,
          object: "chat.completion.chunk",
          created,
          model,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        }));
      const type = event.event ?? str(data.type);
      switch (type) {
        case "message_start": {
          const message = obj(data.message) ?? {};
          id = chatId(message.id);
          model = str(message.model) ?? model;
          usage = { ...(obj(message.usage) ?? {}) };
          chunk({ role: "assistant", content: "" });
          break;
        }
        case "content_block_start": {
          const block = obj(data.content_block) ?? {};
          if (block.type === "tool_use") {
            const at = tools++;
            toolIndex.set(num(data.index) ?? -1, at);
            chunk({
              tool_calls: [{
                index: at,
                id: str(block.id) ?? "",
                type: "function",
                function: { name: str(block.name) ?? "", arguments: "" },
              }],
            });
          } else if (block.type === "text" && str(block.text)) {
            chunk({ content: block.text });
          }
          break;
        }
        case "content_block_delta": {
          const delta = obj(data.delta) ?? {};
          if (delta.type === "text_delta") chunk({ content: str(delta.text) ?? "" });
          else if (delta.type === "thinking_delta") {
            chunk({ reasoning_content: str(delta.thinking) ?? "" });
          } else if (delta.type === "input_json_delta") {
            const at = toolIndex.get(num(data.index) ?? -1);
            if (at !== undefined) {
              chunk({
                tool_calls: [{ index: at, function: { arguments: str(delta.partial_json) ?? "" } }],
              });
            }
          }
          break;
        }
        case "message_delta": {
          Object.assign(usage, obj(data.usage) ?? {});
          finish = finishReasonFor(obj(data.delta)?.stop_reason);
          chunk({}, finish);
          break;
        }
        case "message_stop": {
          ended = true;
          if (opts.includeUsage) {
            controller.enqueue(dataEvent({
              id,
              object: "chat.completion.chunk",
              created,
              model,
              choices: [],
              usage: openAIUsage(usage),
            }));
          }
          controller.enqueue(dataEvent("[DONE]"));
          break;
        }
        case "error": {
          ended = true;
          const e = obj(data.error) ?? {};
          controller.enqueue(dataEvent(openAIErrorBody(
            str(e.message) ?? "upstream stream error",
            str(e.type) === "overloaded_error" ? "server_error" : str(e.type) ?? "server_error",
            str(e.type) ?? null,
          )));
          break;
        }
      }
    },
    flush(controller) {
      if (ended) return;
      controller.enqueue(dataEvent(openAIErrorBody(
        "the upstream stream ended before the answer finished",
        "server_error",
      )));
    },
  });
}
