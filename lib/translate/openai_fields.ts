/**
 * Fields of an OpenAI Chat Completions answer read in Anthropic's terms (stop reason, usage,
 * tool arguments, ids, text and reasoning), shared by the JSON and the stream translators.
 */
import { type Json, num, obj, str, tryJson } from "../json_shape.ts";

/** What every translated answer needs to know about the attempt. */
export interface FromOpenAIOptions {
  /** The model name sent upstream (reported when the upstream names none). */
  model: string;
  /** The provider id: thinking signatures carry it so history repair knows the producer. */
  provider: string;
  /** Told, once the answer is whole, what a later request to this provider will need back. */
  onAnswer?: (facts: AnswerFacts) => void;
}

/** What a translated answer carries that a later request needs (lib/repair records it). */
export interface AnswerFacts {
  /** Its tool calls: the tool_use id the client sees, and Gemini's thought signature if any. */
  calls: { id: string; signature?: string }[];
  /** Its reasoning text ("" when none). */
  reasoning: string;
}

/** Gemini's thought signature on a tool call or message (`extra_content.google`), if any. */
export function thoughtSignatureOf(m: Json | undefined): string | undefined {
  const signature = obj(obj(m?.extra_content)?.google)?.thought_signature;
  return typeof signature === "string" && signature !== "" ? signature : undefined;
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
export function toolId(id: unknown): string {
  return typeof id === "string" && id !== ""
    ? id
    : `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** A message id in Anthropic's form. */
export function messageId(id: unknown): string {
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
export function reasoningOf(m: Json): string {
  return str(m.reasoning_content) ?? str(m.reasoning) ?? "";
}

/** Text of `content`, which some servers send as an array of parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => str(obj(p)?.text) ?? "").join("");
  }
  return "";
}
