/**
 * OpenAI Chat Completions answers -> Anthropic Messages answers: the JSON form (a pure function,
 * here) and the SSE form (openai_stream_to_anthropic.ts). This module is the one to import: it
 * also re-exports the pieces the provider adapter and the tests use.
 */
import { type Json, obj, str } from "../json_shape.ts";
import {
  type AnswerFacts,
  type FromOpenAIOptions,
  messageId,
  parseToolArguments,
  reasoningOf,
  stopReasonFor,
  textOf,
  thoughtSignatureOf,
  toolId,
  usageFrom,
} from "./openai_fields.ts";
import { detourSignature } from "./signature.ts";

export { messageToAnthropicSse } from "./anthropic_sse_replay.ts";
export { anthropicErrorType, errorMessageOf } from "./openai_errors.ts";
export { type AnswerFacts, type FromOpenAIOptions, parseToolArguments, stopReasonFor, usageFrom };
export { openAIStreamToAnthropic } from "./openai_stream_to_anthropic.ts";
export { detourSignature, SIGNATURE_PREFIX, signatureProvider } from "./signature.ts";

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
  const facts: AnswerFacts = { calls: [], reasoning };
  for (const call of calls) {
    if (!call) continue;
    const fn = obj(call.function) ?? {};
    const id = toolId(call.id);
    content.push({
      type: "tool_use",
      id,
      name: str(fn.name) ?? "",
      input: parseToolArguments(fn.arguments),
    });
    facts.calls.push({ id, signature: thoughtSignatureOf(call) });
  }
  // Gemini may sign the message rather than its first call: the first call carries it.
  const first = facts.calls[0];
  if (first && !first.signature) first.signature = thoughtSignatureOf(message);
  opts.onAnswer?.(facts);
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
