/**
 * Mocks of DeepSeek's and Kimi's Anthropic-compatible endpoints in thinking mode, which is their
 * default (DeepSeek: "Thinking mode is enabled by default", https://api-docs.deepseek.com/guides/thinking_mode;
 * Kimi K2.5/K2.6 think unless `thinking: {type: "disabled"}`, https://platform.moonshot.ai/docs/guide/use-kimi-k2-thinking-model).
 * Both require the reasoning of every assistant turn of a user turn that called tools to come
 * back with the history; on their Anthropic endpoints that reasoning is the turn's thinking
 * block (https://api-docs.deepseek.com/guides/anthropic_api lists `thinking` blocks as
 * supported; signatures are not Anthropic's and are not checked). A missing one is refused 400
 * with the vendor's wording: DeepSeek documents only its OpenAI-format text ("The
 * `reasoning_content` in the thinking mode must be passed back to the API."), used here too;
 * Kimi's is "thinking is enabled but reasoning_content is missing in assistant tool call
 * message at index N" (as its FAQ and LibreChat's Moonshot notes quote it).
 */
import { anthropicErrorResponse } from "../harness.ts";
import {
  answerContent,
  anthropicWireAnswer,
  type AnthropicWireOptions,
  thinks,
} from "./anthropic_rules.ts";
import { type Json, rand, type VendorMock, vendorServer } from "./common.ts";

/** Which vendor's Anthropic endpoint. */
export type CompatVendor = "deepseek" | "kimi";

const WORDING: Record<CompatVendor, (index: number) => string> = {
  deepseek: () => "The `reasoning_content` in the thinking mode must be passed back to the API.",
  kimi: (index) =>
    `thinking is enabled but reasoning_content is missing in assistant tool call message at index ${index}`,
};

/**
 * The assistant turn (index) whose thinking is missing: every assistant message between two
 * user turns (a user message without tool results) that called a tool needs its thinking.
 */
export function missingThinking(body: Json): number | null {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  let segment: { index: number; content: Json[] }[] = [];
  const check = (): number | null => {
    if (!segment.some((t) => t.content.some((b) => b.type === "tool_use"))) return null;
    const bare = segment.find((t) => !t.content.some((b) => b.type === "thinking"));
    return bare ? bare.index : null;
  };
  for (const [index, m] of messages.entries()) {
    const content = Array.isArray(m.content)
      ? m.content as Json[]
      : [{ type: "text", text: m.content }];
    if (m.role === "assistant") segment.push({ index, content });
    else if (m.role === "user" && !content.some((b) => b.type === "tool_result")) {
      const missing = check();
      if (missing !== null) return missing;
      segment = [];
    }
  }
  return check();
}

/** The vendor's Anthropic-compatible endpoint mock. */
export function anthropicCompatMock(
  vendor: CompatVendor,
  opts: AnthropicWireOptions = {},
): VendorMock {
  let calls = 0;
  const wire: AnthropicWireOptions = {
    ...opts,
    thinksByDefault: true,
    toolId: vendor === "kimi" ? () => `functions.Read:${calls++}` : () => `call_00_${rand()}`,
    signature: () => vendor === "kimi" ? "" : `ds-${rand()}`,
  };
  return vendorServer(
    (body, req) => {
      if (!req.headers.get("x-api-key") && !req.headers.get("authorization")) {
        return anthropicErrorResponse(401, "authentication_error", "invalid api key");
      }
      if (!thinks(body, true)) return null;
      const missing = missingThinking(body);
      return missing === null
        ? null
        : anthropicErrorResponse(400, "invalid_request_error", WORDING[vendor](missing));
    },
    (body) => anthropicWireAnswer(body, answerContent(body, wire, thinks(body, true))),
    () => anthropicErrorResponse(529, "overloaded_error", "Overloaded"),
  );
}
