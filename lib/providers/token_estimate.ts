/**
 * A local estimate of a request's input tokens, for `count_tokens` where the upstream cannot
 * count (Bedrock models or regions without CountTokens, Vertex regions without count-tokens).
 * It is an estimate — about 3.5 characters a token for text and JSON, a flat cost for images
 * and documents — and answers say so with `x-detour-token-count: estimate`.
 */

const CHARS_PER_TOKEN = 3.5;
/** Anthropic's cost for an image of about 1.15 megapixels, the most a client usually sends. */
const IMAGE_TOKENS = 1600;
/** A document block of unknown length: a page-ish. */
const DOCUMENT_TOKENS = 1500;
/** Per message: role and separators. */
const MESSAGE_OVERHEAD = 4;
/** Tool use adds a system prompt of its own. */
const TOOLS_OVERHEAD = 350;

type Json = unknown;

/** Characters and flat token costs found in one content value. */
function walk(value: Json, acc: { chars: number; tokens: number }): void {
  if (typeof value === "string") {
    acc.chars += value.length;
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) walk(v, acc);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const block = value as Record<string, Json>;
  switch (block.type) {
    case "image":
      acc.tokens += IMAGE_TOKENS;
      return;
    case "document":
      acc.tokens += DOCUMENT_TOKENS;
      return;
    case "text":
      walk(block.text, acc);
      return;
    case "thinking":
      walk(block.thinking, acc);
      return;
    case "redacted_thinking":
      return;
    case "tool_use":
      acc.chars += String(block.name ?? "").length + JSON.stringify(block.input ?? {}).length;
      return;
    case "tool_result":
      walk(block.content, acc);
      return;
  }
  // Anything else: its JSON, minus the bookkeeping fields.
  const { cache_control: _c, signature: _s, ...rest } = block;
  acc.chars += JSON.stringify(rest).length;
}

/** The estimated input tokens of an Anthropic Messages (or count_tokens) request body. */
export function estimateInputTokens(body: Record<string, unknown>): number {
  const acc = { chars: 0, tokens: 0 };
  walk(body.system, acc);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    acc.tokens += MESSAGE_OVERHEAD;
    walk((m as Record<string, Json>)?.content, acc);
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length > 0) {
    acc.tokens += TOOLS_OVERHEAD;
    acc.chars += JSON.stringify(tools).length;
  }
  return Math.max(1, Math.ceil(acc.tokens + acc.chars / CHARS_PER_TOKEN));
}

/** The count_tokens answer built from the estimate. */
export function estimatedCountResponse(body: Record<string, unknown>): Response {
  return Response.json({ input_tokens: estimateInputTokens(body) }, {
    headers: { "x-detour-token-count": "estimate" },
  });
}
