/**
 * The conversation record: a key that Claude Code's moving markers do not change, reasoning
 * state in KV that another instance (or a restarted one) reads back, and the replay each target
 * gets (Gemini signatures or Google's dummy, DeepSeek's reasoning_content, thinking off
 * explicitly on Anthropic), in-process.
 */
import assert from "node:assert/strict";
import { ConversationBook, historyKey } from "../lib/repair/conversation.ts";
import { ConversationStore } from "../lib/store/conversation_store.ts";
import { repairRequest, type RepairTarget } from "../lib/repair/repair.ts";
import { FOREIGN_THOUGHT_SIGNATURE } from "../lib/repair/replay.ts";
import { anthropicToOpenAIRequest } from "../lib/translate/anthropic_to_openai.ts";
import {
  type AnswerFacts,
  openAIResponseToAnthropic,
  openAIStreamToAnthropic,
} from "../lib/translate/openai_to_anthropic.ts";
import { sseEventStream } from "../lib/translate/sse.ts";
import { fnv64 } from "../lib/fingerprint.ts";

type Json = Record<string, unknown>;
const SID = "5f0c3e2a-1b2c-4d3e-8f9a-0a1b2c3d4e5f";
const headers = new Headers({ "x-claude-code-session-id": SID });

Deno.test("conversation key: moving cache_control and editing the system prompt keep it", () => {
  const first = (marked: boolean) => ({
    role: "user",
    content: [{
      type: "text",
      text: "fix the parser",
      ...(marked ? { cache_control: { type: "ephemeral" } } : {}),
    }],
  });
  const turn1 = { system: "billing: 1", messages: [first(true)] };
  const turn2 = {
    system: [{ type: "text", text: "billing: 2", cache_control: { type: "ephemeral" } }],
    messages: [first(false), { role: "assistant", content: "x" }, {
      role: "user",
      content: [{ type: "text", text: "go on", cache_control: { type: "ephemeral" } }],
    }],
  };
  assert.equal(historyKey(SID, turn1), historyKey(SID, turn2));
  const other = {
    messages: [{ role: "user", content: [{ type: "text", text: "fix the lexer" }] }],
  };
  assert.notEqual(historyKey(SID, turn1), historyKey(SID, other));
});

const toolTurn = (id: string, extra: Json[] = []) => ({
  role: "assistant",
  content: [...extra, { type: "tool_use", id, name: "Read", input: {} }],
});
const result = (id: string) => ({
  role: "user",
  content: [{ type: "tool_result", tool_use_id: id, content: "ok" }],
});

Deno.test("conversation store: another instance on the same KV reads the record back", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = new ConversationBook({ store: new ConversationStore(kv, { ttlMs: 60_000 }) });
    const b = new ConversationBook({ store: new ConversationStore(kv, { ttlMs: 60_000 }) });
    const turn0 = { messages: [{ role: "user", content: "go" }] };
    a.served(headers, turn0, "anthropic");
    const turn1 = { messages: [...turn0.messages, toolTurn("toolu_1"), result("toolu_1")] };
    const facts: AnswerFacts = { calls: [{ id: "fc-1", signature: "sig-1" }], reasoning: "hmm" };
    a.answered(headers, turn1, "gemini", facts);
    await a.flush();
    const turn2 = { messages: [...turn1.messages, toolTurn("fc-1"), result("fc-1")] };
    assert.equal(b.producers(headers, turn2), undefined, "b has seen nothing itself");
    const view = (await b.recall(headers, turn2))!;
    assert.equal(view.producerOf(1), "anthropic");
    assert.equal(view.producerOf(3), "gemini");
    assert.deepEqual(view.call("fc-1"), { p: "gemini", ts: "sig-1" });
    assert.equal(view.turn(3)?.rc, "hmm");
    const entries = await Array.fromAsync(kv.list({ prefix: ["conversation"] }));
    assert.equal(entries.length, 3, "two turns and one call");
  } finally {
    kv.close();
  }
});

const GEMINI: RepairTarget = { id: "gemini", family: "openai", thoughtSignatures: true };

Deno.test("replay: Gemini gets its own signatures back and Google's dummy on foreign calls", () => {
  const body = {
    model: "m",
    messages: [
      { role: "user", content: "go" },
      toolTurn("toolu_1", [{ type: "thinking", thinking: "t", signature: "EqQB" }]),
      result("toolu_1"),
      toolTurn("fc-1"),
      result("fc-1"),
    ],
  };
  const view = {
    producerOf: (i: number) => (i === 1 ? "anthropic" : i === 3 ? "gemini" : undefined),
    turn: () => undefined,
    call: (id: string) => (id === "fc-1" ? { p: "gemini", ts: "sig-1" } : undefined),
  };
  const { body: out } = repairRequest(body, { target: GEMINI, view });
  const chat = anthropicToOpenAIRequest(out, { model: "gemini-3-pro-preview" }, fnv64);
  const assistants = (chat.messages as Json[]).filter((m) => m.role === "assistant");
  const signature = (m: Json) => ((m.tool_calls as Json[])[0].extra_content as Json);
  assert.deepEqual(signature(assistants[0]), {
    google: { thought_signature: FOREIGN_THOUGHT_SIGNATURE },
  });
  assert.deepEqual(signature(assistants[1]), { google: { thought_signature: "sig-1" } });
});

Deno.test("replay: DeepSeek gets reasoning_content on every turn, '' for another provider's", () => {
  const body = {
    messages: [
      { role: "user", content: "go" },
      toolTurn("toolu_1", [{ type: "thinking", thinking: "claude's", signature: "EqQB" }]),
      result("toolu_1"),
      toolTurn("call_1", [{ type: "thinking", thinking: "mine", signature: "detour.v1.ds" }]),
      result("call_1"),
      toolTurn("call_2"),
      result("call_2"),
    ],
  };
  const view = {
    producerOf: (i: number) => (i === 1 ? "anthropic" : "ds"),
    turn: (i: number) => (i === 5 ? { p: "ds", rc: "recorded" } : undefined),
    call: () => undefined,
  };
  const target: RepairTarget = {
    id: "ds",
    family: "openai",
    reasoningHistory: "reasoning_content",
  };
  const { body: out } = repairRequest(body, { target, view });
  const chat = anthropicToOpenAIRequest(
    out,
    { model: "deepseek-v4-pro", reasoningHistory: "reasoning_content" },
    fnv64,
  );
  const assistants = (chat.messages as Json[]).filter((m) => m.role === "assistant");
  assert.deepEqual(assistants.map((m) => m.reasoning_content), ["", "mine", "recorded"]);
});

Deno.test("replay: back on Anthropic after a foreign tool turn, thinking is disabled explicitly", () => {
  const body = {
    thinking: { type: "enabled", budget_tokens: 2048 },
    messages: [
      { role: "user", content: "go" },
      toolTurn("toolu_1", [{ type: "thinking", thinking: "t", signature: "EqQB" }]),
      result("toolu_1"),
      toolTurn("call_1"),
      result("call_1"),
    ],
  };
  const producerOf = (i: number) => (i === 3 ? "deepseek" : "anthropic");
  const { body: out } = repairRequest(body, {
    target: { id: "anthropic", family: "anthropic" },
    producerOf,
  });
  assert.deepEqual(out.thinking, { type: "disabled" });
  const kept = ((out.messages as Json[])[1].content as Json[])[0];
  assert.equal(kept.signature, "EqQB", "Anthropic's own thinking kept verbatim");
  // DeepSeek's Anthropic endpoint instead gets a thinking block on the foreign turn.
  const toDeepSeek = repairRequest(body, {
    target: { id: "deepseek", family: "anthropic", thinkingPassback: true },
    producerOf,
  }).body;
  assert.deepEqual(toDeepSeek.thinking, body.thinking);
  const firstBlocks = (toDeepSeek.messages as Json[]).filter((m) => m.role === "assistant")
    .map((m) => (m.content as Json[])[0].type);
  assert.deepEqual(firstBlocks, ["thinking", "thinking"]);
});

Deno.test("translation: Gemini's thought signatures are told, from JSON and from a stream", async () => {
  const told: AnswerFacts[] = [];
  const opts = { model: "g", provider: "gemini", onAnswer: (f: AnswerFacts) => told.push(f) };
  const call = {
    id: "fc-1",
    type: "function",
    function: { name: "Read", arguments: "{}" },
    extra_content: { google: { thought_signature: "sig-1" } },
  };
  openAIResponseToAnthropic({
    choices: [{ message: { role: "assistant", tool_calls: [call] }, finish_reason: "tool_calls" }],
  }, opts);
  const chunks = [
    { choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "r" } }] },
    { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...call }] } }] },
    { choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
  ];
  const text = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + "data: [DONE]\n\n";
  await new Response(
    new Response(text).body!.pipeThrough(sseEventStream()).pipeThrough(
      openAIStreamToAnthropic(opts),
    ),
  ).text();
  assert.deepEqual(told, [
    { calls: [{ id: "fc-1", signature: "sig-1" }], reasoning: "" },
    { calls: [{ id: "fc-1", signature: "sig-1" }], reasoning: "r" },
  ]);
});

Deno.test("conversation book: the same answer again writes nothing new", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let saves = 0;
    class Counting extends ConversationStore {
      override save(...args: Parameters<ConversationStore["save"]>): void {
        saves++;
        super.save(...args);
      }
    }
    const book = new ConversationBook({ store: new Counting(kv, { ttlMs: 60_000 }) });
    const body = { messages: [{ role: "user", content: "go" }] };
    book.served(headers, body, "anthropic");
    book.served(headers, body, "anthropic");
    assert.equal(saves, 1);
    const facts: AnswerFacts = { calls: [{ id: "fc-1", signature: "s" }], reasoning: "" };
    const next = { messages: [...body.messages, toolTurn("toolu_1"), result("toolu_1")] };
    book.answered(headers, next, "gemini", facts);
    book.answered(headers, next, "gemini", facts);
    assert.equal(saves, 2);
    book.answered(headers, next, "gemini", { ...facts, calls: [{ id: "fc-2" }] });
    assert.equal(saves, 3, "a new call is written");
    await book.flush();
  } finally {
    kv.close();
  }
});
