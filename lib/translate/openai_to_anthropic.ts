/**
 * OpenAI Chat Completions answers -> Anthropic Messages answers: the JSON form (a pure function)
 * and the SSE form (an incremental TransformStream over parsed SSE events).
 */
import { namedEvent, num, obj, str, tryJson } from "./sse.ts";
import type { EventSourceMessage } from "./sse.ts";

type Json = Record<string, unknown>;

/** What every translated answer needs to know about the attempt. */
export interface FromOpenAIOptions {
  /** The model name sent upstream (reported when the upstream names none). */
  model: string;
  /** The provider id: thinking signatures carry it so history repair knows the producer. */
  provider: string;
}

/** Thinking blocks Detour translated carry this signature prefix plus the provider id. */
export const SIGNATURE_PREFIX = "detour.v1.";

/** The signature of a thinking block translated from `provider`'s reasoning. */
export function detourSignature(provider: string): string {
  return `${SIGNATURE_PREFIX}${provider}`;
}

/** The provider a Detour signature names, or null for any other signature. */
export function signatureProvider(signature: unknown): string | null {
  return typeof signature === "string" && signature.startsWith(SIGNATURE_PREFIX)
    ? signature.slice(SIGNATURE_PREFIX.length) || null
    : null;
}

/** OpenAI `finish_reason` -> Anthropic `stop_reason`. */
export function stopReasonFor(finish: unknown, hasToolCalls: boolean): string {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return hasToolCalls ? "tool_use" : "end_turn";
    case "content_filter":
      return "refusal";
    default:
      // Some servers (Ollama, Gemini) report `stop` on a turn that called tools.
      return hasToolCalls ? "tool_use" : "end_turn";
  }
}

/** An Anthropic error type for an upstream error's HTTP status and OpenAI-style code/type. */
export function anthropicErrorType(status: number | undefined, code?: unknown, type?: unknown) {
  const hint = `${typeof code === "string" ? code : ""} ${typeof type === "string" ? type : ""}`;
  if (/rate.?limit|quota|too.?many/i.test(hint)) return "rate_limit_error";
  if (/overload|capacity|unavailable/i.test(hint)) return "overloaded_error";
  if (/timeout|timed.?out/i.test(hint)) return "timeout_error";
  if (/auth|api.?key/i.test(hint)) return "authentication_error";
  if (/permission|forbidden/i.test(hint)) return "permission_error";
  if (/context.?length|invalid|bad.?request/i.test(hint)) return "invalid_request_error";
  const s = status ?? (typeof code === "number" ? code : undefined);
  switch (s) {
    case 400:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** Message text of an OpenAI-style error body (`{error: {message}}`, `{message}`, `{error}`). */
export function errorMessageOf(body: unknown): string | undefined {
  const b = obj(body);
  const e = b?.error;
  if (typeof e === "string") return e;
  return str(obj(e)?.message) ?? str(b?.message) ?? str(b?.detail);
}

/**
 * Tool-call arguments as an Anthropic `input` object. Invalid JSON never throws: the raw text
 * is kept under `_raw_arguments`, so the tool call fails validation and the model can retry.
 */
export function parseToolArguments(raw: unknown): Json {
  if (obj(raw)) return raw as Json;
  if (typeof raw !== "string" || raw.trim() === "") return {};
  let parsed = tryJson(raw);
  // Some models double-encode: a JSON string that holds the JSON object.
  if (typeof parsed === "string") parsed = tryJson(parsed) ?? parsed;
  return obj(parsed) ?? { _raw_arguments: raw };
}

/** A tool_use id: the upstream's own, or a fresh one when it sent none. */
function toolId(id: unknown): string {
  return typeof id === "string" && id !== ""
    ? id
    : `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** A message id in Anthropic's form. */
function messageId(id: unknown): string {
  const clean = typeof id === "string" ? id.replace(/[^A-Za-z0-9_-]/g, "") : "";
  return `msg_${clean || crypto.randomUUID().replaceAll("-", "")}`;
}

/** OpenAI usage -> Anthropic usage (cached prompt tokens count as cache reads). */
export function usageFrom(usage: unknown): {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
} {
  const u = obj(usage) ?? {};
  const details = obj(u.prompt_tokens_details) ?? {};
  const prompt = num(u.prompt_tokens) ?? 0;
  const cached = num(details.cached_tokens) ?? num(u.prompt_cache_hit_tokens) ?? 0;
  const written = num(details.cache_write_tokens) ?? 0;
  return {
    input_tokens: Math.max(0, prompt - cached - written),
    output_tokens: num(u.completion_tokens) ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

/** Reasoning text in a message or delta (`reasoning_content` from DeepSeek & co, `reasoning`). */
function reasoningOf(m: Json): string {
  return str(m.reasoning_content) ?? str(m.reasoning) ?? "";
}

/** Text of `content`, which some servers send as an array of parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => str(obj(p)?.text) ?? "").join("");
  }
  return "";
}

/** A non-streaming OpenAI completion as an Anthropic message. */
export function openAIResponseToAnthropic(body: Json, opts: FromOpenAIOptions): Json {
  const choice = obj(Array.isArray(body.choices) ? body.choices[0] : undefined) ?? {};
  const message = obj(choice.message) ?? {};
  const content: Json[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning) {
    content.push({
      type: "thinking",
      thinking: reasoning,
      signature: detourSignature(opts.provider),
    });
  }
  const refusal = !textOf(message.content) && !!str(message.refusal);
  const text = textOf(message.content) || str(message.refusal) || "";
  if (text) content.push({ type: "text", text });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.map(obj) : [];
  for (const call of calls) {
    if (!call) continue;
    const fn = obj(call.function) ?? {};
    content.push({
      type: "tool_use",
      id: toolId(call.id),
      name: str(fn.name) ?? "",
      input: parseToolArguments(fn.arguments),
    });
  }
  const hasTools = content.some((b) => b.type === "tool_use");
  return {
    id: messageId(body.id),
    type: "message",
    role: "assistant",
    model: str(body.model) ?? opts.model,
    content,
    stop_reason: refusal ? "refusal" : stopReasonFor(choice.finish_reason, hasTools),
    stop_sequence: null,
    usage: usageFrom(body.usage),
  };
}

interface ToolCallState {
  id: string;
  name: string;
  args: string;
}

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
  let out!: TransformStreamDefaultController<Uint8Array>;
  let started = false;
  let ended = false;
  let nextIndex = 0;
  let open: { kind: "text" | "thinking"; index: number } | null = null;
  const tools = new Map<number, ToolCallState>();
  /** Upstream tool-call index -> the slot its latest call occupies. */
  const slotOf = new Map<number, number>();
  let toolsFlushed = false;
  let toolsEmitted = 0;
  let finish: unknown = null;
  let usage: unknown = null;
  let id: unknown = null;
  let model: string = opts.model;

  const emit = (name: string, data: unknown) => out.enqueue(namedEvent(name, data));
  const start = () => {
    if (started) return;
    started = true;
    emit("message_start", {
      type: "message_start",
      message: {
        id: messageId(id),
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  };
  const close = () => {
    if (!open) return;
    if (open.kind === "thinking") {
      emit("content_block_delta", {
        type: "content_block_delta",
        index: open.index,
        delta: { type: "signature_delta", signature: detourSignature(opts.provider) },
      });
    }
    emit("content_block_stop", { type: "content_block_stop", index: open.index });
    open = null;
  };
  const append = (kind: "text" | "thinking", text: string) => {
    if (!text) return;
    start();
    if (open?.kind !== kind) {
      close();
      open = { kind, index: nextIndex++ };
      emit("content_block_start", {
        type: "content_block_start",
        index: open.index,
        content_block: kind === "text"
          ? { type: "text", text: "" }
          : { type: "thinking", thinking: "", signature: "" },
      });
    }
    emit("content_block_delta", {
      type: "content_block_delta",
      index: open.index,
      delta: kind === "text"
        ? { type: "text_delta", text }
        : { type: "thinking_delta", thinking: text },
    });
  };
  const flushTools = () => {
    if (toolsFlushed) return;
    toolsFlushed = true;
    close();
    const ordered = [...tools.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, call] of ordered) {
      start();
      const index = nextIndex++;
      emit("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: toolId(call.id), name: call.name, input: {} },
      });
      emit("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: {
          type: "input_json_delta",
          partial_json: JSON.stringify(parseToolArguments(call.args)),
        },
      });
      emit("content_block_stop", { type: "content_block_stop", index });
      toolsEmitted++;
    }
  };
  const fail = (type: string, message: string) => {
    ended = true;
    emit("error", { type: "error", error: { type, message } });
  };
  const finalize = (sawDone: boolean) => {
    if (ended) return;
    if (!started) return fail("api_error", "the upstream stream ended without an answer");
    if (finish === null && !sawDone) {
      close();
      return fail("api_error", "the upstream stream ended before the answer finished");
    }
    flushTools();
    ended = true;
    const u = usageFrom(usage);
    emit("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReasonFor(finish, toolsEmitted > 0), stop_sequence: null },
      usage: u,
    });
    emit("message_stop", { type: "message_stop" });
  };
  const onChunk = (chunk: Json) => {
    if (chunk.error !== undefined && chunk.error !== null) {
      const e = obj(chunk.error);
      return fail(
        anthropicErrorType(num(e?.code), e?.code, e?.type),
        errorMessageOf(chunk) ?? "upstream stream error",
      );
    }
    id ??= chunk.id;
    if (typeof chunk.model === "string" && !started) model = chunk.model;
    const u = chunk.usage ?? obj(chunk.x_groq)?.usage;
    if (obj(u)) usage = u;
    const choice = obj(Array.isArray(chunk.choices) ? chunk.choices[0] : undefined);
    if (!choice) return;
    const delta = obj(choice.delta) ?? obj(choice.message) ?? {};
    start();
    append("thinking", reasoningOf(delta));
    append("text", textOf(delta.content));
    const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls.map(obj) : [];
    calls.forEach((call, position) => {
      if (!call || toolsFlushed) return; // Calls after the finish have nowhere to go.
      const upstreamIndex = num(call.index) ?? position;
      let at = slotOf.get(upstreamIndex) ?? upstreamIndex;
      let state = tools.get(at);
      // A different id at a used index is a new call (some servers put every call at index 0).
      if (state && typeof call.id === "string" && call.id && state.id && call.id !== state.id) {
        at = Math.max(...tools.keys(), upstreamIndex) + 1;
        slotOf.set(upstreamIndex, at);
        state = undefined;
      }
      if (!state) tools.set(at, state = { id: "", name: "", args: "" });
      if (!state.id && typeof call.id === "string") state.id = call.id;
      const fn = obj(call.function) ?? {};
      if (!state.name && typeof fn.name === "string") state.name = fn.name;
      if (typeof fn.arguments === "string") state.args += fn.arguments;
      else if (obj(fn.arguments)) state.args += JSON.stringify(fn.arguments);
    });
    if (choice.finish_reason === "error") {
      return fail("api_error", errorMessageOf(chunk) ?? "the upstream model failed mid-answer");
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      finish = choice.finish_reason;
      flushTools();
    }
  };

  return new TransformStream<EventSourceMessage, Uint8Array>({
    start(controller) {
      out = controller;
    },
    transform(event) {
      if (ended) return;
      if (event.data === "[DONE]") return finalize(true);
      const chunk = obj(tryJson(event.data));
      if (chunk) onChunk(chunk); // Anything else (keep-alives) is skipped.
    },
    flush() {
      finalize(false);
    },
  });
}

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
    if (!block) return;
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
  });
  emit("message_delta", {
    type: "message_delta",
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence ?? null },
    usage,
  });
  emit("message_stop", { type: "message_stop" });
  return events;
}
