/**
 * A mock of the Anthropic Messages API that enforces what Anthropic documents about thinking
 * in multi-turn tool use (https://docs.claude.com/en/docs/build-with-claude/extended-thinking,
 * "Preserving thinking blocks"), with its real status and wording:
 * - a thinking block's `signature` must be one Anthropic issued (this mock keeps the ones it
 *   issued): else 400 "messages.N.content.M: Invalid `signature` in `thinking` block";
 * - with thinking on (`enabled` or `adaptive`), a request that continues a tool loop (its last
 *   message holds tool results) must have a final assistant message that starts with a thinking
 *   block: else 400 "messages.N.content.0.type: Expected `thinking` or `redacted_thinking`, but
 *   found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a
 *   thinking block …" (wording as reported in n8n-io/n8n#22550, OpenRouterTeam/ai-sdk-provider#162);
 * - with thinking disabled, an assistant message in the final position cannot contain thinking;
 * - tool_use ids match `^[a-zA-Z0-9_-]+$` (https://docs.claude.com/en/api/messages).
 * It answers like the real API (JSON or SSE): thinking when asked to think, then a tool call
 * until the history holds `toolTurns` assistant turns, then text.
 */
import { anthropicErrorResponse, anthropicRefusal } from "../harness.ts";
import { callsTool, type Json, rand, sse, type VendorMock, vendorServer } from "./common.ts";

/** Options shared by Anthropic-wire mocks. */
export interface AnthropicWireOptions {
  /** Assistant turns after which the session answers text (default 2). */
  toolTurns?: number;
  /** Whether the vendor thinks when `thinking` is absent (DeepSeek, Kimi: yes). */
  thinksByDefault?: boolean;
  /** The tool-call id the vendor makes (Anthropic: `toolu_…`). */
  toolId?: () => string;
  /** The signature the vendor puts on its thinking. */
  signature?: () => string;
}

const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

/** Whether this request thinks. */
export function thinks(body: Json, byDefault: boolean): boolean {
  const type = (body.thinking as Json | undefined)?.type;
  return type === undefined ? byDefault : type === "enabled" || type === "adaptive";
}

/** The answer's content: thinking (when on), then a tool call or the final text. */
export function answerContent(body: Json, opts: AnthropicWireOptions, think: boolean): Json[] {
  const content: Json[] = [];
  if (think) {
    const signature = opts.signature?.() ?? "";
    content.push({ type: "thinking", thinking: "Let me look at the files.", signature });
  }
  if (callsTool(body.messages, opts.toolTurns ?? 2)) {
    const id = opts.toolId?.() ?? `toolu_01${rand()}`;
    content.push({ type: "tool_use", id, name: "Read", input: { file_path: "/repo/a.ts" } });
  } else content.push({ type: "text", text: "All done." });
  return content;
}

/** The Anthropic answer as JSON or as the SSE the API streams. */
export function anthropicWireAnswer(body: Json, content: Json[]): Response {
  const stop = content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
  const message = {
    id: `msg_${rand()}`,
    type: "message",
    role: "assistant",
    model: String(body.model),
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 20 },
  };
  if (body.stream !== true) return Response.json(message);
  const events: { event: string; data: unknown }[] = [{
    event: "message_start",
    data: { type: "message_start", message: { ...message, content: [], stop_reason: null } },
  }];
  content.forEach((block, index) => {
    const ev = (event: string, data: Json) =>
      events.push({ event, data: { type: event, ...data } });
    if (block.type === "thinking") {
      ev("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      ev("content_block_delta", {
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
      ev("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    } else if (block.type === "tool_use") {
      ev("content_block_start", { index, content_block: { ...block, input: {} } });
      ev("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
      });
    } else {
      ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      ev("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    }
    ev("content_block_stop", { index });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: 20 },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return sse(events);
}

const invalid = (message: string) => anthropicErrorResponse(400, "invalid_request_error", message);

/** The assistant messages of a request with their index. */
export function assistantTurns(body: Json): { index: number; content: Json[] }[] {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  return messages.flatMap((m, index) =>
    m.role === "assistant" && Array.isArray(m.content)
      ? [{ index, content: m.content as Json[] }]
      : []
  );
}

/** Whether the request continues a tool loop: its last message holds tool results. */
export function continuesToolLoop(body: Json): boolean {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  const last = messages.at(-1);
  return last?.role === "user" && Array.isArray(last.content) &&
    (last.content as Json[]).some((b) => b.type === "tool_result");
}

/** Anthropic's thinking and tool-id rules over a request (null: accepted). */
function anthropicRules(body: Json, issued: Set<string>): Response | null {
  const turns = assistantTurns(body);
  for (const { index, content } of turns) {
    for (const [k, block] of content.entries()) {
      if (block.type === "thinking" && !issued.has(String(block.signature))) {
        return invalid(
          `messages.${index}.content.${k}: Invalid \`signature\` in \`thinking\` block`,
        );
      }
      if (block.type === "redacted_thinking" && !issued.has(String(block.data))) {
        return invalid(`messages.${index}.content.${k}: Invalid \`data\` in \`redacted_thinking\``);
      }
      if (block.type === "tool_use" && !TOOL_ID.test(String(block.id))) {
        return invalid(
          `messages.${index}.content.${k}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`,
        );
      }
    }
  }
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  const final = turns.at(-1);
  if (thinks(body, false) && continuesToolLoop(body) && final?.index === messages.length - 2) {
    const first = final.content[0]?.type;
    if (first !== "thinking" && first !== "redacted_thinking") {
      return invalid(
        `messages.${final.index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
      );
    }
  }
  if (!thinks(body, false) && final?.index === messages.length - 1) {
    if (final.content.some((b) => b.type === "thinking" || b.type === "redacted_thinking")) {
      return invalid(
        `messages.${final.index}.content.0: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. To use thinking blocks, enable \`thinking\` in your request.`,
      );
    }
  }
  return null;
}

/** The Anthropic API mock; `issued` holds the signatures it gave out. */
export function anthropicMock(
  opts: AnthropicWireOptions = {},
): VendorMock & { issued: Set<string> } {
  const issued = new Set<string>();
  const signature = () => {
    const s = `EqQB${rand()}${rand()}`;
    issued.add(s);
    return s;
  };
  const mock = vendorServer(
    (body, req) => anthropicRefusal(req) ?? anthropicRules(body, issued),
    (body) =>
      anthropicWireAnswer(body, answerContent(body, { ...opts, signature }, thinks(body, false))),
    () => anthropicErrorResponse(529, "overloaded_error", "Overloaded"),
  );
  return { ...mock, issued };
}
