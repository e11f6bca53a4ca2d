/**
 * OpenAI Chat Completions request -> Anthropic Messages request, for the
 * `POST /v1/chat/completions` entry point: a pure function. docs/translation.md has the table.
 */
import { parseToolArguments } from "./openai_fields.ts";
import { type Json, num, obj, str } from "../json_shape.ts";

/** An OpenAI request Detour cannot translate (answered as a 400). */
export class UntranslatableRequest extends Error {}

/** `max_tokens` when the OpenAI client sets none (Anthropic requires one). */
export const DEFAULT_MAX_TOKENS = 8192;

/** Thinking budgets for `reasoning_effort`. */
const EFFORT_BUDGET: Record<string, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32000,
};

/** An OpenAI image part as an Anthropic image block. */
function imageBlock(part: Json): Json {
  const url = str(obj(part.image_url)?.url) ?? str(part.image_url) ?? "";
  const m = url.match(/^data:([^;,]+);base64,(.*)$/s);
  if (m) return { type: "image", source: { type: "base64", media_type: m[1], data: m[2] } };
  return { type: "image", source: { type: "url", url } };
}

/** An OpenAI `file` part (base64 PDF) as an Anthropic document block. */
function fileBlock(part: Json): Json {
  const file = obj(part.file) ?? {};
  const data = str(file.file_data) ?? "";
  const m = data.match(/^data:([^;,]+);base64,(.*)$/s);
  if (!m) {
    return { type: "text", text: `[file ${str(file.filename) ?? str(file.file_id) ?? ""}]` };
  }
  const doc: Json = { type: "document", source: { type: "base64", media_type: m[1], data: m[2] } };
  if (typeof file.filename === "string") doc.title = file.filename;
  return doc;
}

/** OpenAI message content (string or parts) as Anthropic content blocks. */
function blocks(content: unknown): Json[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: Json[] = [];
  for (const part of content.map(obj)) {
    if (!part) continue;
    if (part.type === "text" || part.type === "input_text") {
      const text = str(part.text) ?? "";
      if (text) out.push({ type: "text", text });
    } else if (part.type === "image_url") out.push(imageBlock(part));
    else if (part.type === "file") out.push(fileBlock(part));
    else if (part.type === "refusal") out.push({ type: "text", text: str(part.refusal) ?? "" });
    else if (part.type === "input_audio") {
      out.push({ type: "text", text: "[audio omitted: not supported by this model]" });
    }
  }
  return out;
}

function textOf(content: unknown): string {
  return blocks(content).map((b) => str(b.text) ?? "").filter(Boolean).join("\n");
}

/** Appends blocks to the message list, merging into the last message when the role matches. */
function push(messages: Json[], role: "user" | "assistant", content: Json[]) {
  if (content.length === 0) return;
  const last = messages.at(-1);
  if (last && last.role === role) (last.content as Json[]).push(...content);
  else messages.push({ role, content });
}

function toolsFrom(list: unknown): Json[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out = list.map(obj).filter((t): t is Json => !!t && t.type === "function").map((t) => {
    const fn = obj(t.function) ?? {};
    const tool: Json = {
      name: str(fn.name) ?? "",
      input_schema: obj(fn.parameters) ?? { type: "object", properties: {} },
    };
    if (typeof fn.description === "string") tool.description = fn.description;
    return tool;
  });
  return out.length ? out : undefined;
}

function toolChoiceFrom(choice: unknown, parallel: unknown): Json | undefined {
  let out: Json | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice === "none") out = { type: "none" };
  else {
    const name = str(obj(obj(choice)?.function)?.name);
    if (name) out = { type: "tool", name };
  }
  if (parallel === false) {
    out ??= { type: "auto" };
    if (out.type !== "none") out.disable_parallel_tool_use = true;
  }
  return out;
}

/** Translates an OpenAI Chat Completions body into an Anthropic Messages body. */
export function openAIRequestToAnthropic(body: Json): Json {
  if (typeof body.n === "number" && body.n > 1) {
    throw new UntranslatableRequest("n > 1 is not supported: send one request per choice");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new UntranslatableRequest("messages: a non-empty array is required");
  }
  const { system, messages } = conversationFrom(body.messages);
  const out: Json = { model: body.model, messages };
  if (system.length) out.system = system;
  const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens) ?? DEFAULT_MAX_TOKENS;
  out.max_tokens = maxTokens;
  setThinkingOrSampling(out, body, maxTokens);
  const stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (Array.isArray(stop) && stop.length) out.stop_sequences = stop.filter((s) => s !== "");
  const tools = toolsFrom(body.tools ?? functionsAsTools(body.functions));
  if (tools) {
    out.tools = tools;
    const choice = toolChoiceFrom(body.tool_choice, body.parallel_tool_calls);
    if (choice) out.tool_choice = choice;
  }
  const format = obj(body.response_format);
  const schema = obj(obj(format?.json_schema)?.schema);
  if (format?.type === "json_schema" && schema) {
    out.output_config = { format: { type: "json_schema", schema } };
  }
  if (typeof body.user === "string" && body.user) out.metadata = { user_id: body.user };
  if (body.stream === true) out.stream = true;
  return out;
}

/** OpenAI's message list as Anthropic's system blocks and alternating messages. */
function conversationFrom(list: unknown[]): { system: Json[]; messages: Json[] } {
  const system: Json[] = [];
  const messages: Json[] = [];
  for (const m of list.map(obj)) {
    if (!m) continue;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = textOf(m.content);
        if (text) system.push({ type: "text", text });
        break;
      }
      case "user":
        push(messages, "user", blocks(m.content));
        break;
      case "assistant":
        push(messages, "assistant", assistantContent(m));
        break;
      case "tool":
      case "function":
        addToolResult(messages, toolResultFrom(m));
        break;
    }
  }
  return { system, messages };
}

/** An assistant message's text and tool calls (current and legacy `function_call`) as blocks. */
function assistantContent(m: Json): Json[] {
  const content = blocks(m.content);
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls.map(obj) : [];
  for (const call of calls) {
    if (!call) continue;
    const fn = obj(call.function) ?? {};
    content.push({
      type: "tool_use",
      id: str(call.id) ?? "",
      name: str(fn.name) ?? "",
      input: parseToolArguments(fn.arguments),
    });
  }
  const legacy = obj(m.function_call);
  if (legacy) {
    content.push({
      type: "tool_use",
      id: `call_${str(legacy.name) ?? "function"}`,
      name: str(legacy.name) ?? "",
      input: parseToolArguments(legacy.arguments),
    });
  }
  return content;
}

/** A `tool` (or legacy `function`) message as an Anthropic tool_result block. */
function toolResultFrom(m: Json): Json {
  const id = m.role === "tool" ? str(m.tool_call_id) ?? "" : `call_${str(m.name) ?? "function"}`;
  const parts = blocks(m.content);
  const result: Json = { type: "tool_result", tool_use_id: id };
  result.content = parts.length === 1 && parts[0].type === "text"
    ? parts[0].text
    : parts.length
    ? parts
    : "";
  return result;
}

/** Adds a tool result: tool results lead their user message, as Anthropic requires. */
function addToolResult(messages: Json[], result: Json) {
  const last = messages.at(-1);
  if (last?.role === "user") {
    const content = last.content as Json[];
    const firstOther = content.findIndex((b) => b.type !== "tool_result");
    if (firstOther === -1) content.push(result);
    else content.splice(firstOther, 0, result);
  } else messages.push({ role: "user", content: [result] });
}

/** Thinking from `reasoning_effort`, or else the sampling settings (thinking needs defaults). */
function setThinkingOrSampling(out: Json, body: Json, maxTokens: number) {
  const effort = str(body.reasoning_effort) ?? str(obj(body.reasoning)?.effort);
  const budget = effort && effort !== "none"
    ? Math.min(EFFORT_BUDGET[effort] ?? EFFORT_BUDGET.medium, maxTokens - 1)
    : 0;
  if (budget >= 1024) out.thinking = { type: "enabled", budget_tokens: budget };
  else {
    // Anthropic's temperature runs 0..1, OpenAI's 0..2; thinking requires the default.
    if (typeof body.temperature === "number") out.temperature = Math.min(1, body.temperature);
    if (typeof body.top_p === "number") out.top_p = body.top_p;
  }
}

/** The legacy `functions` list in the `tools` shape. */
function functionsAsTools(functions: unknown): unknown {
  return Array.isArray(functions)
    ? functions.map((f) => ({ type: "function", function: f }))
    : undefined;
}
