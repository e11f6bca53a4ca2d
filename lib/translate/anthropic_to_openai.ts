/**
 * Anthropic Messages request -> OpenAI Chat Completions request: a pure function.
 * docs/translation.md lists every field and what is lost.
 */
import { obj, str } from "../json_shape.ts";

/** How the target takes the parts that differ between OpenAI-compatible servers. */
export interface ToOpenAIOptions {
  /** The upstream model name (after the model map). */
  model: string;
  reasoning?: "none" | "reasoning_effort" | "openrouter" | "thinking";
  reasoningHistory?: "drop" | "reasoning_content" | "reasoning";
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  keepCacheControl?: boolean;
  /** Top-level fields removed last. */
  dropFields?: readonly string[];
}

type Json = Record<string, unknown>;
type Part = Json;

/** OpenAI allows at most 4 stop sequences. */
const MAX_STOP = 4;
/** OpenAI rejects a `user` longer than this; longer ids are replaced by a fingerprint. */
const MAX_USER = 64;

/** `data:` URL of a base64 source. */
function dataUrl(source: Json): string {
  return `data:${str(source.media_type) ?? "application/octet-stream"};base64,${
    str(source.data) ?? ""
  }`;
}

function withCache(part: Part, block: Json, keep: boolean): Part {
  if (keep && block.cache_control) part.cache_control = block.cache_control;
  return part;
}

/** An Anthropic image block as an OpenAI content part. */
function imagePart(block: Json): Part {
  const source = obj(block.source) ?? {};
  if (source.type === "base64") return { type: "image_url", image_url: { url: dataUrl(source) } };
  if (source.type === "url") return { type: "image_url", image_url: { url: str(source.url) } };
  return { type: "text", text: "[image omitted: its source type cannot be sent to this model]" };
}

/** An Anthropic document block as OpenAI content parts. */
function documentParts(block: Json): Part[] {
  const source = obj(block.source) ?? {};
  const title = str(block.title);
  const head = title ? `Document: ${title}\n\n` : "";
  switch (source.type) {
    case "base64":
      return [{
        type: "file",
        file: { filename: title ?? "document.pdf", file_data: dataUrl(source) },
      }];
    case "text":
      return [{ type: "text", text: head + (str(source.data) ?? "") }];
    case "content": {
      const inner = Array.isArray(source.content) ? source.content : [];
      const parts = inner.map(obj).filter((b): b is Json => !!b).flatMap((b) => userParts(b));
      return head ? [{ type: "text", text: head.trimEnd() }, ...parts] : parts;
    }
    case "url":
      return [{ type: "text", text: `${head}[document at ${str(source.url)}]` }];
    default:
      return [{ type: "text", text: `${head}[document omitted: unsupported source]` }];
  }
}

/** A user-side content block as OpenAI content parts (tool results are handled apart). */
function userParts(block: Json, keepCache = false): Part[] {
  switch (block.type) {
    case "text":
      return [withCache({ type: "text", text: str(block.text) ?? "" }, block, keepCache)];
    case "image":
      return [imagePart(block)];
    case "document":
      return documentParts(block);
    case "search_result": {
      const inner = Array.isArray(block.content) ? block.content : [];
      const text = inner.map((b) => str(obj(b)?.text) ?? "").join("\n");
      return [{
        type: "text",
        text: `Search result: ${str(block.title) ?? ""} (${str(block.source) ?? ""})\n${text}`,
      }];
    }
    default:
      return [];
  }
}

/** Text of a tool result's content, and its images (OpenAI tool messages carry text only). */
function toolResultContent(block: Json): { text: string; images: Part[] } {
  const content = block.content;
  let text = "";
  const images: Part[] = [];
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const b of content.map(obj)) {
      if (!b) continue;
      if (b.type === "image") images.push(imagePart(b));
      else if (b.type === "document") images.push(...documentParts(b));
      else {
        for (const p of userParts(b)) if (p.type === "text") texts.push(str(p.text) ?? "");
      }
    }
    text = texts.join("\n");
  }
  if (images.length > 0) {
    const n = images.length;
    text += `${text ? "\n" : ""}[${n} image${n > 1 ? "s" : ""} attached in the next message]`;
  }
  if (block.is_error === true) text = `[tool error] ${text}`;
  return { text, images };
}

/** Parts collapse to a plain string when they are all text without cache marks. */
function contentOf(parts: Part[]): string | Part[] {
  if (parts.every((p) => p.type === "text" && !p.cache_control)) {
    return parts.map((p) => str(p.text) ?? "").join("\n");
  }
  return parts;
}

/** `system` (string or text blocks) as one system message. */
function systemMessage(system: unknown, keepCache: boolean): Json | null {
  if (typeof system === "string") return system ? { role: "system", content: system } : null;
  if (!Array.isArray(system) || system.length === 0) return null;
  const parts = system.map(obj).filter((b): b is Json => !!b && b.type === "text")
    .map((b) => withCache({ type: "text", text: str(b.text) ?? "" }, b, keepCache));
  if (parts.length === 0) return null;
  return {
    role: "system",
    content: keepCache && parts.some((p) => p.cache_control)
      ? parts
      : parts.map((p) => p.text).join("\n\n"),
  };
}

function userMessages(content: unknown, keepCache: boolean): Json[] {
  if (typeof content === "string") return [{ role: "user", content }];
  if (!Array.isArray(content)) return [];
  const out: Json[] = [];
  const parts: Part[] = [];
  const toolImages: Part[] = [];
  for (const block of content.map(obj)) {
    if (!block) continue;
    if (block.type === "tool_result") {
      const { text, images } = toolResultContent(block);
      // Tool messages must directly follow the assistant's tool calls, before any user text.
      out.push({ role: "tool", tool_call_id: str(block.tool_use_id) ?? "", content: text });
      toolImages.push(...images);
    } else parts.push(...userParts(block, keepCache));
  }
  const all = [...toolImages, ...parts];
  if (all.length > 0) out.push({ role: "user", content: contentOf(all) });
  return out;
}

/**
 * An Anthropic assistant turn's blocks in OpenAI terms: the joined text (null when there is
 * none), the thinking texts, and the tool calls. Redacted thinking, server tools and their
 * results have no OpenAI form and are left out.
 */
export function assistantParts(
  content: unknown[],
): { text: string | null; reasoning: string[]; toolCalls: Json[] } {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: Json[] = [];
  for (const block of content.map(obj)) {
    if (!block) continue;
    if (block.type === "text") texts.push(str(block.text) ?? "");
    else if (block.type === "thinking") reasoning.push(str(block.thinking) ?? "");
    else if (block.type === "tool_use") {
      const call: Json = {
        id: str(block.id) ?? "",
        type: "function",
        function: { name: str(block.name) ?? "", arguments: JSON.stringify(block.input ?? {}) },
      };
      // Gemini's thought signature, put there by the repair step (lib/repair/replay.ts).
      if (obj(block.extra_content)) call.extra_content = block.extra_content;
      toolCalls.push(call);
    }
  }
  return { text: texts.length ? texts.join("") : null, reasoning, toolCalls };
}

function assistantMessage(content: unknown, opts: ToOpenAIOptions): Json | null {
  if (typeof content === "string") {
    return opts.reasoningHistory === "reasoning_content"
      ? { role: "assistant", content, reasoning_content: "" }
      : { role: "assistant", content };
  }
  if (!Array.isArray(content)) return null;
  const { text, reasoning, toolCalls } = assistantParts(content);
  const msg: Json = { role: "assistant", content: text };
  const history = opts.reasoningHistory ?? "drop";
  // DeepSeek's thinking mode refuses an earlier assistant turn without `reasoning_content`
  // (https://api-docs.deepseek.com/guides/thinking_mode): every turn carries it, "" when the
  // turn has no reasoning (another provider's).
  if (history === "reasoning_content") msg[history] = reasoning.join("\n");
  else if (history !== "drop" && reasoning.length) msg[history] = reasoning.join("\n");
  if (toolCalls.length) msg.tool_calls = toolCalls;
  if (msg.content === null && !toolCalls.length && !msg[history]) return null;
  return msg;
}

/** Anthropic `tools` -> OpenAI functions; server tools (web search, …) have no equivalent. */
function tools(list: unknown): Json[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out = list.map(obj).filter((t): t is Json =>
    !!t && (t.type === undefined || t.type === "custom") && typeof t.name === "string"
  ).map((t) => ({
    type: "function",
    function: {
      name: t.name,
      ...(typeof t.description === "string" ? { description: t.description } : {}),
      parameters: obj(t.input_schema) ?? { type: "object", properties: {} },
    },
  }));
  return out.length ? out : undefined;
}

function toolChoice(choice: unknown): { tool_choice?: unknown; parallel?: false } {
  const c = obj(choice);
  if (!c) return {};
  const parallel = c.disable_parallel_tool_use === true ? { parallel: false as const } : {};
  switch (c.type) {
    case "auto":
      return { tool_choice: "auto", ...parallel };
    case "any":
      return { tool_choice: "required", ...parallel };
    case "none":
      return { tool_choice: "none" };
    case "tool":
      return { tool_choice: { type: "function", function: { name: c.name } }, ...parallel };
    default:
      return {};
  }
}

/** Reasoning effort for a thinking budget (or Anthropic's own effort setting). */
export function effortFor(budget: number | undefined, effort?: string): "low" | "medium" | "high" {
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "max" || effort === "xhigh") return "high";
  if (budget === undefined) return "medium";
  return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
}

function reasoningFields(body: Json, mode: ToOpenAIOptions["reasoning"]): Json {
  const thinking = obj(body.thinking);
  const on = thinking?.type === "enabled" || thinking?.type === "adaptive";
  const budget = typeof thinking?.budget_tokens === "number" ? thinking.budget_tokens : undefined;
  const effort = str(obj(body.output_config)?.effort);
  switch (mode) {
    case "reasoning_effort":
      return on ? { reasoning_effort: effortFor(budget, effort) } : {};
    case "openrouter":
      if (!on) return {};
      return budget !== undefined
        ? { reasoning: { max_tokens: budget } }
        : { reasoning: effort ? { effort: effortFor(undefined, effort) } : { enabled: true } };
    case "thinking":
      return thinking ? { thinking: { type: on ? "enabled" : "disabled" } } : {};
    default:
      return {};
  }
}

/** `metadata.user_id` as an OpenAI `user` (long ids become a stable fingerprint). */
export function openaiUser(userId: unknown, fingerprint: (s: string) => string): string | null {
  if (typeof userId !== "string" || userId === "") return null;
  return userId.length <= MAX_USER ? userId : `detour-${fingerprint(userId)}`;
}

/** Translates an Anthropic Messages request body into an OpenAI Chat Completions body. */
export function anthropicToOpenAIRequest(
  body: Json,
  opts: ToOpenAIOptions,
  fingerprint: (s: string) => string,
): Json {
  const keepCache = opts.keepCacheControl === true;
  const messages: Json[] = [];
  const system = systemMessage(body.system, keepCache);
  if (system) messages.push(system);
  for (const m of Array.isArray(body.messages) ? body.messages.map(obj) : []) {
    if (!m) continue;
    if (m.role === "user") messages.push(...userMessages(m.content, keepCache));
    else if (m.role === "assistant") {
      const a = assistantMessage(m.content, opts);
      if (a) messages.push(a);
    } else if (m.role === "system") {
      // Claude Code's mid-conversation system messages keep their place.
      const s = systemMessage(m.content, keepCache);
      if (s) messages.push(s);
    }
  }

  const out: Json = { model: opts.model, messages };
  if (typeof body.max_tokens === "number") {
    out[opts.maxTokensField ?? "max_tokens"] = body.max_tokens;
  }
  for (const k of ["temperature", "top_p"] as const) {
    if (typeof body[k] === "number") out[k] = body[k];
  }
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length) {
    out.stop = body.stop_sequences.slice(0, MAX_STOP);
  }
  const t = tools(body.tools);
  if (t) {
    out.tools = t;
    const { tool_choice, parallel } = toolChoice(body.tool_choice);
    if (tool_choice !== undefined) out.tool_choice = tool_choice;
    if (parallel === false) out.parallel_tool_calls = false;
  } else if (obj(body.tool_choice)?.type === "none") out.tool_choice = "none";
  Object.assign(out, reasoningFields(body, opts.reasoning));
  const format = obj(obj(body.output_config)?.format);
  if (format?.type === "json_schema" && obj(format.schema)) {
    out.response_format = {
      type: "json_schema",
      json_schema: { name: "output", schema: format.schema, strict: true },
    };
  }
  const user = openaiUser(obj(body.metadata)?.user_id, fingerprint);
  if (user) out.user = user;
  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  for (const field of opts.dropFields ?? []) delete out[field];
  return out;
}
