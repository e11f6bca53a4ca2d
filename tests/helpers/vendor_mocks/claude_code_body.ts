/**
 * A Claude Code-shaped Messages request, as /work/shared/CLIENTS.md records it (2.1.197 and the
 * changelog to 2.1.288): adaptive thinking, `context_management`, `output_config`, `speed`,
 * `fallbacks`, cache marks with `scope` and `ttl`, a mid-conversation `role: "system"` message,
 * a deferred tool, a server tool, a `tool_reference` block, and its usual betas.
 */

/** The betas Claude Code sends with a Sonnet-class model. */
export const CLAUDE_CODE_BETAS = [
  "claude-code-20250219",
  "context-1m-2025-08-07",
  "interleaved-thinking-2025-05-14",
  "context-management-2025-06-27",
  "prompt-caching-scope-2026-01-05",
  "mid-conversation-system-2026-04-07",
  "effort-2025-11-24",
].join(",");

/** One Claude Code turn with a tool round trip behind it. */
export function claudeCodeBody(model: string, stream: boolean): Record<string, unknown> {
  return {
    model,
    max_tokens: 32000,
    stream,
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.288" },
      {
        type: "text",
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: "ephemeral", scope: "global", ttl: "1h" },
      },
      { type: "text", text: "Project instructions", cache_control: { type: "ephemeral" } },
    ],
    messages: [
      { role: "user", content: [{ type: "text", text: "List the files" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Looking." },
          { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "ls" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01", content: "a.ts\nb.ts", is_error: false },
          { type: "tool_reference", tool_name: "Grep" },
          { type: "text", text: "Now count them", cache_control: { type: "ephemeral" } },
        ],
      },
      { role: "system", content: "The user switched to plan mode." },
    ],
    tools: [
      {
        name: "Bash",
        description: "Runs a shell command",
        input_schema: {
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "object",
          properties: { command: { type: "string" } },
          required: ["command"],
          additionalProperties: false,
        },
      },
      {
        name: "Grep",
        description: "Searches files",
        input_schema: { type: "object", properties: { pattern: { type: "string" } } },
        defer_loading: true,
      },
      { type: "web_search_20250305", name: "web_search", max_uses: 5 },
    ],
    metadata: { user_id: JSON.stringify({ device_id: "d", session_id: "s" }) },
    thinking: { type: "adaptive" },
    context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
    output_config: { effort: "high" },
    speed: "fast",
    fallbacks: [{ model: "claude-sonnet-4-5" }],
  };
}
