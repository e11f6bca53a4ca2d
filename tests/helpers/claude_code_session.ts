/**
 * A Claude Code-shaped multi-turn tool session driven through Detour with the official SDK:
 * each turn sends the history with Claude Code's markers (session id header and
 * `metadata.user_id`, a system prompt whose first block changes every turn, `cache_control` on
 * the last message only, thinking on), then appends the assistant message exactly as Detour
 * returned it and a tool result for each tool call, until a turn answers text.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { RunningDetour } from "./harness.ts";

type Block = Record<string, unknown>;
type Message = { role: "user" | "assistant"; content: Block[] };

/** One turn as the client saw it. */
export interface TurnResult {
  /** `x-detour-attempts`: the upstream requests Detour says it made for the turn. */
  attempts: string;
  /** The provider that served the turn (the last attempt). */
  servedBy: string;
  stopReason: string | null;
  content: Block[];
}

/** Providers named in an `x-detour-attempts` value, one per upstream request. */
export function attemptProviders(header: string): string[] {
  return header.split(", ").filter(Boolean).map((a) => a.split(" ")[0].split("#")[0]);
}

/** The history with `cache_control` on the last message's last block only (as Claude Code). */
function withMovingCacheMark(messages: Message[]): Message[] {
  return messages.map((m, i) => ({
    ...m,
    content: m.content.map((b, k) => {
      const { cache_control: _drop, ...rest } = b;
      return i === messages.length - 1 && k === m.content.length - 1
        ? { ...rest, cache_control: { type: "ephemeral" } }
        : rest;
    }),
  }));
}

/**
 * Runs one session: turn `i` goes to `detours[i % detours.length]`; `beforeTurn(i)` arranges
 * who serves it (e.g. a 529 from the primary). Every turn must succeed.
 */
export async function runSession(
  detours: RunningDetour[],
  opts: {
    stream: boolean;
    maxTurns: number;
    beforeTurn?: (turn: number) => void;
    /** Claude Code's thinking setting (default: enabled with a budget). */
    thinking?: Anthropic.ThinkingConfigParam;
  },
): Promise<TurnResult[]> {
  const sessionId = crypto.randomUUID();
  const userId = JSON.stringify({
    device_id: "d".repeat(64),
    account_uuid: "",
    session_id: sessionId,
  });
  const messages: Message[] = [{
    role: "user",
    content: [
      { type: "text", text: "<system-reminder>CLAUDE.md: be brief.</system-reminder>" },
      { type: "text", text: "Fix the bug in a.ts" },
    ],
  }];
  const results: TurnResult[] = [];
  for (let turn = 0; turn < opts.maxTurns; turn++) {
    const detour = detours[turn % detours.length];
    const client = new Anthropic({
      baseURL: detour.url,
      apiKey: "sk-ant-api03-test",
      maxRetries: 0,
      defaultHeaders: { "x-claude-code-session-id": sessionId },
    });
    opts.beforeTurn?.(turn);
    const params = {
      model: "claude-sonnet-5",
      max_tokens: 8000,
      thinking: opts.thinking ?? { type: "enabled" as const, budget_tokens: 2048 },
      system: [
        { type: "text" as const, text: `x-anthropic-billing-header: cc_version=2.1; turn=${turn}` },
        {
          type: "text" as const,
          text: "You are Claude Code.",
          cache_control: { type: "ephemeral" as const },
        },
      ],
      tools: [{
        name: "Read",
        description: "Reads a file",
        input_schema: {
          type: "object" as const,
          properties: { file_path: { type: "string" } },
          required: ["file_path"],
        },
      }],
      metadata: { user_id: userId },
      messages: withMovingCacheMark(messages) as unknown as Anthropic.MessageParam[],
    };
    let message: Anthropic.Message;
    let headers: Headers;
    if (opts.stream) {
      const stream = client.messages.stream(params);
      headers = (await stream.withResponse()).response.headers;
      message = await stream.finalMessage();
    } else {
      const { data, response } = await client.messages.create(params).withResponse();
      message = data;
      headers = response.headers;
    }
    const attempts = headers.get("x-detour-attempts") ?? "";
    const content = message.content as unknown as Block[];
    results.push({
      attempts,
      servedBy: attemptProviders(attempts).at(-1) ?? "",
      stopReason: message.stop_reason,
      content,
    });
    messages.push({ role: "assistant", content });
    const calls = content.filter((b) => b.type === "tool_use");
    if (calls.length === 0) break;
    messages.push({
      role: "user",
      content: calls.map((c) => ({ type: "tool_result", tool_use_id: c.id, content: "ok" })),
    });
    // The time a real tool run takes: the answer's record has reached KV.
    await Promise.all(detours.map((d) => d.deps.conversations.flush()));
  }
  assert.equal(results.at(-1)?.stopReason, "end_turn", "the session ends with a text answer");
  return results;
}
