/**
 * A local token estimate for `POST /v1/messages/count_tokens` on providers that have no such
 * endpoint (OpenAI-compatible ones). It is an estimate, not a tokenizer: about 3.5 characters
 * per token for text and JSON, a flat 1,600 tokens per image or PDF page-less document, and a
 * few tokens of overhead per message and per tool. Claude Code uses the figure for its context
 * meter, so being within ~15% matters more than being exact.
 */
import { obj, str } from "../json_shape.ts";

const CHARS_PER_TOKEN = 3.5;
const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 8;

function blockChars(block: unknown): { chars: number; media: number } {
  const b = obj(block);
  if (!b) return { chars: typeof block === "string" ? block.length : 0, media: 0 };
  switch (b.type) {
    case "text":
      return { chars: (str(b.text) ?? "").length, media: 0 };
    case "thinking":
      return { chars: (str(b.thinking) ?? "").length, media: 0 };
    case "image":
    case "document":
      return { chars: 0, media: 1 };
    case "tool_use":
      return { chars: JSON.stringify(b.input ?? {}).length + (str(b.name) ?? "").length, media: 0 };
    case "tool_result": {
      const content = b.content;
      if (typeof content === "string") return { chars: content.length, media: 0 };
      return sum(Array.isArray(content) ? content : []);
    }
    default:
      return { chars: JSON.stringify(b).length, media: 0 };
  }
}

function sum(blocks: unknown[]): { chars: number; media: number } {
  let chars = 0;
  let media = 0;
  for (const block of blocks) {
    const c = blockChars(block);
    chars += c.chars;
    media += c.media;
  }
  return { chars, media };
}

/** Estimated input tokens of an Anthropic Messages request body. */
export function estimateInputTokens(body: Record<string, unknown>): number {
  let chars = 0;
  let media = 0;
  let overhead = 0;
  const add = (c: { chars: number; media: number }) => {
    chars += c.chars;
    media += c.media;
  };
  if (typeof body.system === "string") chars += body.system.length;
  else if (Array.isArray(body.system)) add(sum(body.system));
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages.map(obj)) {
    if (!m) continue;
    overhead += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") chars += m.content.length;
    else if (Array.isArray(m.content)) add(sum(m.content));
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const t of tools) {
    overhead += TOOL_OVERHEAD;
    chars += JSON.stringify(t).length;
  }
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN) + media * IMAGE_TOKENS + overhead);
}
