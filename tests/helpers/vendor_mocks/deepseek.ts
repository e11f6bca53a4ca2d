/**
 * A mock of DeepSeek V4 on its OpenAI-compatible API in thinking mode, the default
 * (https://api-docs.deepseek.com/guides/thinking_mode): every answer carries
 * `reasoning_content`, and when the model called tools between two user messages, the
 * `reasoning_content` of every assistant message in between must be passed back in all later
 * requests. Else it answers 400 with DeepSeek's wording: "The `reasoning_content` in the thinking
 * mode must be passed back to the API." `thinking: {type: "disabled"}` turns the mode off.
 */
import {
  callsTool,
  type Json,
  openaiError,
  rand,
  type VendorMock,
  vendorServer,
} from "./common.ts";
import { chatAnswer } from "./openai_wire.ts";

/** The index of an assistant message whose `reasoning_content` is missing, or null. */
export function missingReasoning(body: Json): number | null {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  let segment: { index: number; m: Json }[] = [];
  const check = (): number | null => {
    if (!segment.some(({ m }) => Array.isArray(m.tool_calls) && m.tool_calls.length)) return null;
    const bare = segment.find(({ m }) => typeof m.reasoning_content !== "string");
    return bare ? bare.index : null;
  };
  for (const [index, m] of messages.entries()) {
    if (m.role === "assistant") segment.push({ index, m });
    else if (m.role === "user") {
      const missing = check();
      if (missing !== null) return missing;
      segment = [];
    }
  }
  return check();
}

/** The DeepSeek mock: reasoning and a tool call until `toolTurns` assistant turns, then text. */
export function deepseekMock(opts: { toolTurns?: number } = {}): VendorMock {
  return vendorServer(
    (body, req) => {
      if (!req.headers.get("authorization")) {
        return openaiError(
          401,
          "Authentication Fails, Your api key is invalid",
          "authentication_error",
        );
      }
      const thinking = (body.thinking as Json | undefined)?.type !== "disabled";
      if (thinking && missingReasoning(body) !== null) {
        return openaiError(
          400,
          "The `reasoning_content` in the thinking mode must be passed back to the API.",
        );
      }
      return null;
    },
    (body) => {
      const reasoning = (body.thinking as Json | undefined)?.type === "disabled"
        ? undefined
        : "I should read the file first.";
      if (!callsTool(body.messages, opts.toolTurns ?? 2)) {
        return chatAnswer(body, { reasoning, text: "All done." });
      }
      return chatAnswer(body, {
        reasoning,
        call: { id: `call_00_${rand()}`, name: "Read", args: { file_path: "/repo/a.ts" } },
      });
    },
    () => openaiError(503, "Server overloaded, please try again later.", "server_error"),
  );
}
