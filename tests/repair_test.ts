/** Cross-provider history repair: the pure repair, sessions, affinity, and the retry loop. */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { anthropicToolId, repairRequest, type RepairTarget } from "../lib/repair/repair.ts";
import { reduceSchemaForGemini } from "../lib/repair/schema.ts";
import { ConversationBook, historyKey, sessionIdOf } from "../lib/repair/conversation.ts";
import { knownOutputLimit } from "../lib/repair/limits.ts";
import { preferSessionProvider } from "../lib/repair/affinity.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import { planAttempts } from "../lib/fallback/plan.ts";
import type { InboundRequest } from "../lib/fallback/inbound.ts";
import { ConfigSchema, normalizeBaseUrl, ProviderSchema } from "../lib/config/schema.ts";
import { PRESETS } from "../lib/config/presets.ts";
import { anthropicMessage, mockUpstream, startDetour } from "./helpers/harness.ts";

type Json = Record<string, unknown>;
const ANTHROPIC: RepairTarget = { id: "anthropic", family: "anthropic" };
const ROUTER: RepairTarget = { id: "router", family: "openai" };

/** A history: Anthropic turn, then a turn translated from "router" (marked thinking, call_ ids). */
function history(): Json {
  return {
    model: "claude-sonnet-5",
    max_tokens: 64000,
    thinking: { type: "enabled", budget_tokens: 31999 },
    context_management: { edits: [{ type: "clear_thinking_20251015" }] },
    messages: [
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "a", signature: "EqQBanthropic" },
          { type: "tool_use", id: "toolu_01A", name: "Read", input: {} },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A", content: "ok" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "b", signature: "detour.v1.router" },
          { type: "tool_use", id: "functions.Bash:0", name: "Bash", input: { command: "ls" } },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "functions.Bash:0", content: "files" }],
      },
    ],
  };
}

Deno.test("repair: going back to Anthropic removes foreign thinking, rewrites ids, turns thinking off", () => {
  const body = history();
  const { body: out, repairs } = repairRequest(body, { target: ANTHROPIC });
  const m = out.messages as Json[];
  const id = anthropicToolId("functions.Bash:0");
  assert.match(id, /^toolu_functions_Bash_0_[0-9a-f]{12}$/);
  assert.equal(anthropicToolId("functions.Bash:0"), id, "deterministic");
  assert.deepEqual((m[1].content as Json[])[0].signature, "EqQBanthropic", "Anthropic's own kept");
  assert.deepEqual(m[3].content, [{
    type: "tool_use",
    id,
    name: "Bash",
    input: { command: "ls" },
  }]);
  assert.deepEqual(m[4].content, [{ type: "tool_result", tool_use_id: id, content: "files" }]);
  assert.deepEqual(out.thinking, { type: "disabled" }, "the last turn lost its thinking: off");
  assert.equal(out.context_management, undefined);
  assert.equal(repairs.length, 3);
  assert.notEqual(body.messages, out.messages, "the input is not mutated");
  assert.equal(((body.messages as Json[])[3].content as Json[]).length, 2);
});

Deno.test("repair: the producer gets its history untouched (same object back)", () => {
  const body = history();
  // To the router: its own marked thinking stays; Anthropic's (unmarked) goes; ids untouched.
  const toRouter = repairRequest(body, { target: ROUTER });
  const m = toRouter.body.messages as Json[];
  assert.equal((m[1].content as Json[]).length, 1);
  assert.equal((m[3].content as Json[])[0].signature, "detour.v1.router");
  assert.equal((m[3].content as Json[])[1].id, "functions.Bash:0");
  // A plain Anthropic conversation going to Anthropic: nothing to do, the very same object.
  const plain = {
    model: "m",
    max_tokens: 100,
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "thinking", thinking: "x", signature: "EqQB" }] },
    ],
  };
  const same = repairRequest(plain, { target: ANTHROPIC });
  assert.equal(same.body, plain);
  assert.deepEqual(same.repairs, []);
  // The session record says zai produced turn 1: going to Anthropic removes it, to zai keeps it.
  const producerOf = (i: number) => (i === 1 ? "zai" : undefined);
  assert.equal(
    (repairRequest(plain, { target: ANTHROPIC, producerOf }).body.messages as Json[]).length,
    1,
  );
  assert.equal(
    repairRequest(plain, { target: { id: "zai", family: "anthropic" }, producerOf }).body,
    plain,
  );
});

Deno.test("repair: max_tokens clamp with thinking budget; text-only images; Gemini schemas", () => {
  const { body, repairs } = repairRequest({
    max_tokens: 64000,
    thinking: { type: "enabled", budget_tokens: 31999 },
    tools: [{
      name: "t",
      input_schema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        additionalProperties: false,
        properties: {
          n: { type: "number", exclusiveMinimum: 0 },
          s: { type: ["string", "null"], format: "uri" },
          k: { const: "x" },
          m: { type: "object", propertyNames: { pattern: "^a" } },
          r: { $ref: "#/$defs/R" },
        },
        required: ["n", "ghost"],
        $defs: { R: { type: "string", enum: [1, 2] } },
      },
    }],
    messages: [{
      role: "user",
      content: [
        { type: "image", source: { type: "base64", media_type: "image/png", data: "A" } },
        {
          type: "tool_result",
          tool_use_id: "toolu_1",
          content: [{
            type: "image",
            source: { type: "base64", media_type: "image/png", data: "A" },
          }],
        },
      ],
    }],
  }, {
    target: {
      id: "groq",
      family: "openai",
      maxOutputTokens: 8192,
      textOnly: true,
      toolSchema: "gemini",
    },
  });
  assert.equal(body.max_tokens, 8192);
  assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 8191 });
  const content = (body.messages as Json[])[0].content as Json[];
  assert.deepEqual(content[0], {
    type: "text",
    text: '[image omitted: provider "groq" accepts text only]',
  });
  assert.deepEqual((content[1].content as Json[])[0].type, "text");
  assert.deepEqual((body.tools as Json[])[0].input_schema, {
    type: "object",
    properties: {
      n: { type: "number" },
      s: { type: "string", nullable: true },
      k: { enum: ["x"] },
      m: { type: "object" },
      r: { type: "string", enum: ["1", "2"] },
    },
    required: ["n"],
  });
  assert.equal(repairs.length, 4);
  assert.deepEqual(reduceSchemaForGemini(null), { type: "object", properties: {} });
  assert.equal(knownOutputLimit("deepseek-chat"), 8192);
  assert.equal(knownOutputLimit("openai/gpt-4o-mini"), 16384);
  assert.equal(knownOutputLimit("claude-sonnet-5"), undefined);
});

Deno.test("sessions: header, JSON and legacy metadata.user_id; history keys; producers", () => {
  const sid = "5f0c3e2a-1b2c-4d3e-8f9a-0a1b2c3d4e5f";
  assert.equal(sessionIdOf(new Headers({ "x-claude-code-session-id": sid }), {}), sid);
  assert.equal(
    sessionIdOf(new Headers(), { metadata: { user_id: JSON.stringify({ session_id: sid }) } }),
    sid,
  );
  assert.equal(
    sessionIdOf(new Headers(), {
      metadata: { user_id: `user_${"a".repeat(64)}_account_0b6b5a4e-8a0c_session_${sid}` },
    }),
    sid,
  );
  assert.equal(sessionIdOf(new Headers(), { metadata: { user_id: "plain" } }), null);
  const h = new Headers({ "x-claude-code-session-id": sid });
  const main = { messages: [{ role: "user", content: "main task" }] };
  const sub = { messages: [{ role: "user", content: "sub-agent task" }] };
  assert.notEqual(historyKey(sid, main), historyKey(sid, sub));
  // A long first message is fingerprinted by its length and ends: the user's own prompt comes
  // last, so two conversations that share a long preamble still get different keys.
  const preamble = "<system-reminder>" + "context ".repeat(5000) + "</system-reminder>";
  const long = (prompt: string) => ({
    messages: [{ role: "user", content: [{ type: "text", text: preamble + prompt }] }],
  });
  assert.equal(historyKey(sid, long("fix the parser")), historyKey(sid, long("fix the parser")));
  assert.notEqual(historyKey(sid, long("fix the parser")), historyKey(sid, long("fix the lexer")));
  const book = new ConversationBook();
  book.served(h, main, "router"); // answer becomes message 1
  book.served(h, {
    messages: [...main.messages, { role: "assistant", content: "x" }, {
      role: "user",
      content: "y",
    }],
  }, "anthropic");
  const producers = book.producers(h, main)!;
  assert.equal(producers(1), "router");
  assert.equal(producers(3), "anthropic");
  assert.equal(book.producers(h, sub), undefined);
  assert.equal(book.stickyProvider(sid), "anthropic");
});

Deno.test("affinity: a failed-over session stays put until the primary has been healthy a while", async () => {
  const sessions = new ConversationBook();
  const config = ConfigSchema.parse({
    providers: [
      { id: "anthropic", type: "anthropic", baseUrl: "https://a.example", keys: ["k1"] },
      { id: "router", type: "openai", baseUrl: "https://r.example/v1", keys: ["k2"] },
    ],
    sessionAffinitySeconds: 60,
  });
  const chain = await compileChain(config);
  const client = { credential: null, authorized: true, accessKey: null, badAccessKey: false };
  const none = { get: () => undefined };
  const attempts = planAttempts(chain, "claude-sonnet-5", client, none).attempts;
  const sid = "11111111-2222-3333-4444-555555555555";
  const req = {
    headers: new Headers({ "x-claude-code-session-id": sid }),
    json: { messages: [{ role: "user", content: "hi" }] },
  } as unknown as InboundRequest;
  const order = (now: number) =>
    preferSessionProvider(sessions, req, attempts, chain, none, now).map((a) => a.provider.id);
  const t0 = 1_000_000;
  assert.deepEqual(order(t0), ["anthropic", "router"], "no record: chain order");
  sessions.markUnhealthy("anthropic", t0);
  sessions.served(req.headers, req.json, "router");
  assert.deepEqual(order(t0 + 10_000), ["router", "anthropic"], "sticks to the fallback");
  assert.deepEqual(order(t0 + 61_000), ["anthropic", "router"], "primary healthy 60 s: back");
  assert.equal(sessions.stickyProvider(sid), undefined);
});

Deno.test("config: openai base URLs keep /v1; openai-only fields rejected elsewhere; presets valid", () => {
  assert.equal(
    normalizeBaseUrl("https://openrouter.ai/api/v1/", "openai"),
    "https://openrouter.ai/api/v1",
  );
  assert.equal(
    normalizeBaseUrl("https://api.groq.com/openai/v1/chat/completions", "openai"),
    "https://api.groq.com/openai/v1",
  );
  assert.equal(normalizeBaseUrl("https://x.example/v1"), "https://x.example");
  const bad = ConfigSchema.safeParse({
    providers: [{
      id: "a",
      type: "anthropic",
      baseUrl: "https://a.example",
      reasoning: "openrouter",
    }],
  });
  assert.equal(bad.success, false);
  for (const preset of PRESETS.filter((p) => p.provider.type === "openai")) {
    // The custom preset leaves its URL for the user to type.
    const baseUrl = preset.id === "custom-openai"
      ? "https://llm.example/v1"
      : preset.provider.baseUrl;
    const parsed = ProviderSchema.safeParse({ id: "x", ...preset.provider, baseUrl });
    assert.ok(parsed.success, `${preset.id}: ${JSON.stringify(parsed.error?.issues)}`);
    assert.equal(parsed.data!.authHeader, "authorization");
  }
  assert.deepEqual(
    PRESETS.filter((p) => p.provider.type === "openai").map((p) => p.id),
    [
      "openrouter-chat",
      "openai",
      "groq",
      "deepseek-openai",
      "gemini-openai",
      "cloudflare-workers-ai",
      "ollama",
      "custom-openai",
    ],
  );
});

Deno.test("repair: an upstream that still rejects a signature is retried once without thinking", async () => {
  const upstream = mockUpstream((_req, body) => {
    const hasThinking = body.includes('"type":"thinking"');
    return hasThinking
      ? Response.json({
        type: "error",
        error: {
          type: "invalid_request_error",
          message: "messages.1.content.0: Invalid `signature` in `thinking` block",
        },
      }, { status: 400 })
      : Response.json(anthropicMessage("recovered"));
  });
  const detour = await startDetour({
    providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, keys: ["k"] }],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: "x", maxRetries: 0 });
    const message = await client.messages.create({
      model: "claude-sonnet-5",
      max_tokens: 1000,
      thinking: { type: "enabled", budget_tokens: 500 },
      messages: [
        { role: "user", content: "hi" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "t", signature: "from-elsewhere" },
            { type: "text", text: "hello" },
          ],
        },
        { role: "user", content: "again" },
      ],
    });
    assert.equal(message.content[0].type === "text" && message.content[0].text, "recovered");
    assert.equal(upstream.received.length, 2);
    const retried = JSON.parse(upstream.received[1].body);
    assert.deepEqual(retried.messages[1].content, [{ type: "text", text: "hello" }]);
    assert.deepEqual(retried.thinking, { type: "disabled" });
    assert.ok(detour.logs.some((l) => l.includes('"msg":"repair"') && l.includes("signature")));
  } finally {
    await detour.close();
    await upstream.close();
  }
});
