/** OpenAI Chat Completions answers (JSON or SSE) as the vendor mocks give them. */
import { type Json, rand, sse } from "./common.ts";

/** What one answer holds. */
export interface ChatAnswer {
  reasoning?: string;
  text?: string;
  /** One tool call, with Gemini's `extra_content` when the vendor signs it. */
  call?: { id: string; name: string; args: Json; extra?: Json };
}

/** The answer as a chat completion, or as chunks ending in `[DONE]` when the body streams. */
export function chatAnswer(body: Json, a: ChatAnswer): Response {
  const finish = a.call ? "tool_calls" : "stop";
  const toolCall = a.call && {
    id: a.call.id,
    type: "function",
    function: { name: a.call.name, arguments: JSON.stringify(a.call.args) },
    ...(a.call.extra ? { extra_content: a.call.extra } : {}),
  };
  const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
  const base = { id: `chatcmpl-${rand()}`, model: String(body.model), created: 1 };
  if (body.stream !== true) {
    return Response.json({
      ...base,
      object: "chat.completion",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: a.text ?? null,
          ...(a.reasoning !== undefined ? { reasoning_content: a.reasoning } : {}),
          ...(toolCall ? { tool_calls: [toolCall] } : {}),
        },
        finish_reason: finish,
      }],
      usage,
    });
  }
  const chunk = (delta: Json, finish_reason: string | null = null): { data: Json } => ({
    data: {
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason }],
    },
  });
  const events = [chunk({ role: "assistant", content: "" })];
  if (a.reasoning) events.push(chunk({ reasoning_content: a.reasoning }));
  if (a.text) events.push(chunk({ content: a.text }));
  if (toolCall) {
    const args = toolCall.function.arguments;
    const half = Math.floor(args.length / 2);
    events.push(chunk({
      tool_calls: [{
        index: 0,
        id: toolCall.id,
        type: "function",
        function: { name: toolCall.function.name, arguments: args.slice(0, half) },
        ...(a.call?.extra ? { extra_content: a.call.extra } : {}),
      }],
    }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }));
  }
  events.push(chunk({}, finish));
  events.push({ data: { ...base, object: "chat.completion.chunk", choices: [], usage } });
  return sse([...events, { data: "[DONE]" }]);
}

/** The assistant messages of a chat request with their index. */
export function chatAssistants(body: Json): { index: number; m: Json }[] {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  return messages.flatMap((m, index) => m.role === "assistant" ? [{ index, m }] : []);
}
