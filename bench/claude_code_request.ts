/** A Claude Code–shaped Messages request (~100 kB JSON), built once and resent as bytes. */

/** Claude Code posts here; the query string must survive every hop. */
export const MESSAGES_PATH = "/v1/messages?beta=true";

export const MODEL = "claude-sonnet-4-5-20250929";

const PROSE =
  ("Use this tool when the task needs it. Read the file before editing it and keep the " +
    "existing style. Prefer small focused changes, run the tests after each change, and report " +
    "what changed and why. Never guess paths: search the repository first. When a command fails, " +
    "read the error, fix the cause and try again instead of retrying blindly. ").split(" ");

/** Deterministic filler prose of about `chars` characters (same bytes on every run). */
function prose(chars: number, seed: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = seed; length < chars; i++) {
    const word = PROSE[(i * 7) % PROSE.length] || "the";
    words.push(word);
    length += word.length + 1;
  }
  return words.join(" ");
}

const TOOL_NAMES = [
  "Task",
  "Bash",
  "Glob",
  "Grep",
  "LS",
  "ExitPlanMode",
  "Read",
  "Edit",
  "MultiEdit",
  "Write",
  "NotebookEdit",
  "WebFetch",
  "TodoWrite",
  "WebSearch",
  "BashOutput",
  "KillShell",
  "SlashCommand",
  "mcp__ide__getDiagnostics",
  "mcp__ide__executeCode",
  "mcp__github__get_issue",
  "mcp__github__create_pull_request",
  "mcp__github__list_commits",
  "mcp__github__search_code",
  "mcp__github__get_file_contents",
];

function tool(name: string, i: number) {
  return {
    name,
    description: prose(2_600, i),
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "The absolute path to operate on" },
        command: { type: "string", description: prose(200, i + 1) },
        timeout: { type: "number", description: "Optional timeout in milliseconds (max 600000)" },
        options: {
          type: "array",
          items: { type: "string", enum: ["recursive", "ignore_case", "dry_run"] },
        },
      },
      required: ["path"],
      additionalProperties: false,
      $schema: "http://json-schema.org/draft-07/schema#",
    },
  };
}

/** The JSON body Claude Code would send; `stream` picks SSE or a JSON answer. */
export function claudeCodeBody(stream: boolean): Uint8Array {
  const body = {
    model: MODEL,
    max_tokens: 32_000,
    stream,
    system: [
      {
        type: "text",
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: "ephemeral" },
      },
      { type: "text", text: prose(12_000, 3), cache_control: { type: "ephemeral" } },
      { type: "text", text: "<env>Working directory: /work/app\nPlatform: linux</env>" },
    ],
    tools: TOOL_NAMES.map(tool),
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "<system-reminder>" + prose(3_000, 5) + "</system-reminder>" },
          { type: "text", text: "The date parser test fails on leap years; please fix it." },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look at the parser." },
          {
            type: "tool_use",
            id: "toolu_01BenchReadParser000000",
            name: "Read",
            input: { path: "/work/app/src/date.ts" },
          },
        ],
      },
      {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "toolu_01BenchReadParser000000",
          content: prose(6_000, 11),
        }],
      },
    ],
    metadata: { user_id: "user_bench_account__session_00000000-0000-4000-8000-000000000000" },
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

/** Claude Code's request headers, with the client credential `apiKey`. */
export function claudeCodeHeaders(apiKey: string): Headers {
  return new Headers({
    "content-type": "application/json",
    "accept": "application/json",
    "x-api-key": apiKey,
    "anthropic-version": "2023-06-01",
    "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
    "user-agent": "claude-cli/2.0.0 (external, cli)",
    "x-app": "cli",
  });
}
