/**
 * Conformance: Claude Code–shaped Anthropic requests sent with @anthropic-ai/sdk through Detour
 * to a recording OpenAI-compatible mock on loopback. Asserts the exact translated request, and
 * for realistic chunk sequences the raw Anthropic event sequence and `finalMessage()`.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicErrorResponse,
  anthropicSse,
  mockUpstream,
  type Recorded,
  sseResponse,
  startDetour,
} from "./helpers/harness.ts";
import type { ConfigInput } from "../lib/config/schema.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const USER_ID = JSON.stringify({
  device_id: "d".repeat(64),
  account_uuid: "0b6b5a4e-8a0c-4c5e-9d6e-3c2f3a1b2c3d",
  session_id: "5f0c3e2a-1b2c-4d3e-8f9a-0a1b2c3d4e5f",
});

/** A Claude Code–shaped request: long system array, tools, thinking, images, cache_control. */
function claudeCodeRequest(): Anthropic.MessageCreateParams {
  return {
    model: "claude-sonnet-5",
    max_tokens: 64000,
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli" },
      {
        type: "text",
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: "ephemeral" },
      },
      {
        type: "text",
        text: "You are an interactive CLI tool that helps users with software engineering tasks.",
        cache_control: { type: "ephemeral" },
      },
    ],
    tools: [
      {
        name: "Read",
        description: "Reads a file from the local filesystem.",
        input_schema: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: { file_path: { type: "string", description: "Absolute path" } },
          required: ["file_path"],
          additionalProperties: false,
        } as Anthropic.Tool.InputSchema,
      },
      {
        name: "Bash",
        description: "Runs a shell command.",
        input_schema: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: { command: { type: "string" }, timeout: { type: "number" } },
          required: ["command"],
          additionalProperties: false,
        } as Anthropic.Tool.InputSchema,
      },
    ],
    metadata: { user_id: USER_ID },
    thinking: { type: "enabled", budget_tokens: 31999 },
    messages: [
      { role: "user", content: "Read /tmp/a.png and run ls" },
      {
        role: "assistant",
        content: [
          {
            type: "thinking",
            thinking: "The user wants two things.",
            signature: "EqQBCkgIARABGAIiQL",
          },
          { type: "text", text: "I'll read it." },
          { type: "tool_use", id: "toolu_01A", name: "Read", input: { file_path: "/tmp/a.png" } },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_01A",
            content: [
              { type: "text", text: "PNG image, 1x1" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            ],
          },
          { type: "text", text: "now run ls" },
        ],
      },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_01B", name: "Bash", input: { command: "ls" } }],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01B", content: "ls: denied", is_error: true },
          {
            type: "text",
            text: "<system-reminder>keep going</system-reminder>",
            cache_control: { type: "ephemeral" },
          },
        ],
      },
    ],
  };
}

/** The exact OpenAI request Detour must send for `claudeCodeRequest()` (OpenRouter preset). */
function expectedOpenAIRequest(stream: boolean) {
  return {
    model: "anthropic/claude-sonnet-4.5",
    messages: [
      {
        role: "system",
        content: [
          {
            type: "text",
            text: "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli",
          },
          {
            type: "text",
            text: "You are Claude Code, Anthropic's official CLI for Claude.",
            cache_control: { type: "ephemeral" },
          },
          {
            type: "text",
            text:
              "You are an interactive CLI tool that helps users with software engineering tasks.",
            cache_control: { type: "ephemeral" },
          },
        ],
      },
      { role: "user", content: "Read /tmp/a.png and run ls" },
      {
        role: "assistant",
        content: "I'll read it.",
        tool_calls: [{
          id: "toolu_01A",
          type: "function",
          function: { name: "Read", arguments: '{"file_path":"/tmp/a.png"}' },
        }],
      },
      {
        role: "tool",
        tool_call_id: "toolu_01A",
        content: "PNG image, 1x1\n[1 image attached in the next message]",
      },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: "text", text: "now run ls" },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "toolu_01B",
          type: "function",
          function: { name: "Bash", arguments: '{"command":"ls"}' },
        }],
      },
      { role: "tool", tool_call_id: "toolu_01B", content: "[tool error] ls: denied" },
      {
        role: "user",
        content: [{
          type: "text",
          text: "<system-reminder>keep going</system-reminder>",
          cache_control: { type: "ephemeral" },
        }],
      },
    ],
    max_tokens: 64000,
    tools: [
      {
        type: "function",
        function: {
          name: "Read",
          description: "Reads a file from the local filesystem.",
          parameters: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { file_path: { type: "string", description: "Absolute path" } },
            required: ["file_path"],
            additionalProperties: false,
          },
        },
      },
      {
        type: "function",
        function: {
          name: "Bash",
          description: "Runs a shell command.",
          parameters: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { command: { type: "string" }, timeout: { type: "number" } },
            required: ["command"],
            additionalProperties: false,
          },
        },
      },
    ],
    reasoning: { max_tokens: 31999 },
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

/** One OpenAI streaming chunk. */
function chunk(delta: Record<string, unknown>, finish: string | null = null, extra = {}) {
  return `data: ${
    JSON.stringify({
      id: "gen-123",
      object: "chat.completion.chunk",
      created: 1,
      model: "anthropic/claude-sonnet-4.5",
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    })
  }\n\n`;
}
const usageChunk = (prompt: number, completion: number, cached: number) =>
  `data: ${
    JSON.stringify({
      id: "gen-123",
      object: "chat.completion.chunk",
      choices: [],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: cached },
      },
    })
  }\n\n`;
const DONE = "data: [DONE]\n\n";

/** Reasoning, then text, then two parallel tool calls split mid-token, usage last. */
const RICH_STREAM = [
  ": OPENROUTER PROCESSING\n\n",
  chunk({ role: "assistant", content: "" }),
  chunk({ reasoning: "Need to " }),
  chunk({ reasoning: "check both." }),
  chunk({ content: "Checking" }),
  chunk({ content: " now." }),
  chunk({
    tool_calls: [{
      index: 0,
      id: "call_a1",
      type: "function",
      function: { name: "Read", arguments: '{"file_' },
    }],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'path": "/tmp/' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'b.txt"}' } }] }),
  chunk({
    tool_calls: [{
      index: 1,
      id: "call_b2",
      type: "function",
      function: { name: "Bash", arguments: '{"comm' },
    }],
  }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: 'and": "pwd"}' } }] }),
  chunk({}, "tool_calls"),
  usageChunk(1200, 85, 1000),
  DONE,
];

interface Setup {
  detour: Awaited<ReturnType<typeof startDetour>>;
  openai: ReturnType<typeof mockUpstream>;
  client: Anthropic;
  close(): Promise<void>;
}

const ROUTER = {
  id: "router",
  type: "openai" as const,
  keys: ["sk-or-test-key"],
  reasoning: "openrouter" as const,
  keepCacheControl: true,
  modelMap: { "*": "anthropic/claude-sonnet-4.5" },
};

async function setup(
  answer: (req: Request, body: string, n: number) => Response | Promise<Response>,
  extra: Partial<ConfigInput> & { before?: ConfigInput["providers"] } = {},
): Promise<Setup> {
  const openai = mockUpstream(answer);
  const { before = [], ...rest } = extra;
  const detour = await startDetour({
    providers: [...before, { ...ROUTER, baseUrl: `${openai.url}/api/v1` }],
    ...rest,
  });
  const client = new Anthropic({ baseURL: detour.url, apiKey: "sk-ant-client", maxRetries: 0 });
  return {
    detour,
    openai,
    client,
    close: async () => {
      await detour.close();
      await openai.close();
    },
  };
}

function bodyOf(r: Recorded) {
  return JSON.parse(r.body);
}

type RawEvent = Anthropic.MessageStreamEvent;

/** A compact view of an event sequence: `content_block_delta:1:input_json_delta`. */
function shape(events: RawEvent[]): string[] {
  return events.map((e) => {
    if (e.type === "content_block_start") return `${e.type}:${e.index}:${e.content_block.type}`;
    if (e.type === "content_block_delta") return `${e.type}:${e.index}:${e.delta.type}`;
    if (e.type === "content_block_stop") return `${e.type}:${e.index}`;
    return e.type;
  });
}

Deno.test("conformance: Claude Code request translates exactly; rich stream arrives in order", async () => {
  const t = await setup(() => sseResponse(RICH_STREAM));
  try {
    const stream = t.client.messages.stream(claudeCodeRequest());
    const events: RawEvent[] = [];
    stream.on("streamEvent", (e) => events.push(e));
    const message = await stream.finalMessage();

    // The exact request.
    assert.equal(t.openai.received.length, 1);
    const sent = t.openai.received[0];
    assert.equal(sent.path, "/api/v1/chat/completions");
    assert.equal(sent.headers.get("authorization"), "Bearer sk-or-test-key");
    assert.equal(sent.headers.get("x-api-key"), null);
    assert.equal(sent.headers.get("anthropic-version"), null);
    assert.equal(sent.headers.get("x-title"), null);
    const expected = expectedOpenAIRequest(true);
    const got = bodyOf(sent);
    assert.ok(got.user.startsWith("detour-"), "a long metadata.user_id becomes a fingerprint");
    delete got.user;
    assert.deepEqual(got, expected);

    // The raw event sequence.
    assert.deepEqual(shape(events), [
      "message_start",
      "content_block_start:0:thinking",
      "content_block_delta:0:thinking_delta",
      "content_block_delta:0:thinking_delta",
      "content_block_delta:0:signature_delta",
      "content_block_stop:0",
      "content_block_start:1:text",
      "content_block_delta:1:text_delta",
      "content_block_delta:1:text_delta",
      "content_block_stop:1",
      "content_block_start:2:tool_use",
      "content_block_delta:2:input_json_delta",
      "content_block_stop:2",
      "content_block_start:3:tool_use",
      "content_block_delta:3:input_json_delta",
      "content_block_stop:3",
      "message_delta",
      "message_stop",
    ]);

    // The final message.
    assert.equal(message.role, "assistant");
    assert.equal(message.model, "anthropic/claude-sonnet-4.5");
    assert.equal(message.stop_reason, "tool_use");
    assert.deepEqual(message.content, [
      { type: "thinking", thinking: "Need to check both.", signature: "detour.v1.router" },
      { type: "text", text: "Checking now." },
      { type: "tool_use", id: "call_a1", name: "Read", input: { file_path: "/tmp/b.txt" } },
      { type: "tool_use", id: "call_b2", name: "Bash", input: { command: "pwd" } },
    ]);
    assert.equal(message.usage.input_tokens, 200);
    assert.equal(message.usage.cache_read_input_tokens, 1000);
    assert.equal(message.usage.output_tokens, 85);
    assert.equal(
      t.detour.logs.some((l) => l.includes('"msg":"repair"') && l.includes("thinking")),
      true,
      "removing Anthropic's thinking for this provider is logged",
    );
  } finally {
    await t.close();
  }
});

Deno.test("conformance: non-streaming request and answer (tool calls, cached usage)", async () => {
  const t = await setup(() =>
    Response.json({
      id: "chatcmpl-9",
      object: "chat.completion",
      model: "anthropic/claude-sonnet-4.5",
      choices: [{
        index: 0,
        finish_reason: "tool_calls",
        message: {
          role: "assistant",
          content: "Let me look.",
          reasoning_content: "Plan first.",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "Read", arguments: '{"file_path":"/x"}' },
            },
            { id: "call_2", type: "function", function: { name: "Bash", arguments: "{not json" } },
          ],
        },
      }],
      usage: {
        prompt_tokens: 50,
        completion_tokens: 7,
        prompt_tokens_details: { cached_tokens: 20 },
      },
    })
  );
  try {
    const message = await t.client.messages.create({ ...claudeCodeRequest(), stream: false }, {
      timeout: 30_000,
    });
    assert.deepEqual(bodyOf(t.openai.received[0]).stream, undefined);
    const { user: _user, ...got } = bodyOf(t.openai.received[0]);
    assert.deepEqual(got, expectedOpenAIRequest(false));
    assert.equal(message.stop_reason, "tool_use");
    assert.deepEqual(message.content.map((b) => b.type), [
      "thinking",
      "text",
      "tool_use",
      "tool_use",
    ]);
    const calls = message.content.filter((b) => b.type === "tool_use");
    assert.deepEqual(calls[0].input, { file_path: "/x" });
    assert.deepEqual(calls[1].input, { _raw_arguments: "{not json" }, "invalid JSON never throws");
    assert.deepEqual(message.usage, {
      input_tokens: 30,
      output_tokens: 7,
      cache_read_input_tokens: 20,
      cache_creation_input_tokens: 0,
    });
  } finally {
    await t.close();
  }
});

Deno.test("conformance: invalid tool-call JSON in a stream does not break the stream", async () => {
  const t = await setup(() =>
    sseResponse([
      chunk({ role: "assistant", content: null }),
      chunk({
        tool_calls: [{
          index: 0,
          id: "call_x",
          type: "function",
          function: { name: "Bash", arguments: '{"command": "ls' },
        }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: " -la" } }] }),
      chunk({}, "length"),
      usageChunk(10, 4096, 0),
      DONE,
    ])
  );
  try {
    const message = await t.client.messages.stream(claudeCodeRequest()).finalMessage();
    assert.equal(message.stop_reason, "max_tokens");
    assert.equal(message.content.length, 1);
    const call = message.content[0];
    assert.equal(call.type, "tool_use");
    if (call.type === "tool_use") {
      assert.equal(call.id, "call_x");
      assert.deepEqual(call.input, { _raw_arguments: '{"command": "ls -la' });
    }
  } finally {
    await t.close();
  }
});

Deno.test("conformance: an error chunk mid-stream becomes an SSE error event", async () => {
  const t = await setup(() =>
    sseResponse([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Partial" }),
      `data: ${
        JSON.stringify({
          error: { code: 502, message: "provider disconnected" },
          choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
        })
      }\n\n`,
    ])
  );
  try {
    const res = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...claudeCodeRequest(), stream: true }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const names = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(names, [
      "message_start",
      "content_block_start",
      "content_block_delta",
      "error",
    ]);
    assert.match(text, /"type":"api_error","message":"provider disconnected"/);

    // The SDK surfaces it as an error rather than a truncated message.
    await assert.rejects(
      t.client.messages.stream(claudeCodeRequest()).finalMessage(),
      /disconnected/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("conformance: an error chunk before any content falls back to the next provider", async () => {
  const backup = mockUpstream(() => sseResponse(anthropicSse("from backup")));
  const openai = mockUpstream(() =>
    sseResponse([
      chunk({ role: "assistant", content: "" }),
      `data: ${
        JSON.stringify({ error: { code: 429, message: "Rate limit exceeded: free tier" } })
      }\n\n`,
    ])
  );
  const detour = await startDetour({
    providers: [
      { ...ROUTER, baseUrl: `${openai.url}/api/v1` },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: ["sk-backup"] },
    ],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: "sk-ant-client", maxRetries: 0 });
    const stream = client.messages.stream(claudeCodeRequest());
    const message = await stream.finalMessage();
    const res = await stream.withResponse();
    assert.equal(res.response.headers.get("x-detour-provider"), "backup");
    assert.match(res.response.headers.get("x-detour-attempts") ?? "", /^router stream_error:429/);
    assert.equal(message.content[0].type === "text" && message.content[0].text, "from backup");
    // The backup got Anthropic's own history: no repair, the original thinking intact.
    const sent = JSON.parse(backup.received[0].body);
    assert.equal(sent.messages[1].content[0].signature, "EqQBCkgIARABGAIiQL");
  } finally {
    await detour.close();
    await openai.close();
    await backup.close();
  }
});

Deno.test("conformance: upstream HTTP errors become Anthropic errors with their status", async () => {
  const t = await setup(() =>
    Response.json(
      {
        error: {
          message: "Rate limit reached for requests",
          type: "requests",
          code: "rate_limit_exceeded",
        },
      },
      { status: 429, headers: { "retry-after": "7" } },
    )
  );
  try {
    const err = await t.client.messages.create({ ...claudeCodeRequest(), stream: false }, {
      timeout: 30_000,
    }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err instanceof Anthropic.RateLimitError);
    assert.equal(err.status, 429);
    assert.equal((err.error as { error?: { type?: string } })?.error?.type, "rate_limit_error");
    assert.match(err.message, /Rate limit reached/);
    assert.equal(err.headers?.get("retry-after"), "7");
  } finally {
    await t.close();
  }

  const bad = await setup(() =>
    Response.json({ error: { message: "Invalid schema for function", code: null } }, {
      status: 400,
    })
  );
  try {
    const err = await bad.client.messages.create({ ...claudeCodeRequest(), stream: false }, {
      timeout: 30_000,
    }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err instanceof Anthropic.BadRequestError);
    assert.equal(
      (err.error as { error?: { type?: string } })?.error?.type,
      "invalid_request_error",
    );
  } finally {
    await bad.close();
  }
});

Deno.test("conformance: count_tokens on an OpenAI provider is a local estimate", async () => {
  const t = await setup(() => new Response("should not be called", { status: 500 }));
  try {
    const res = await t.client.messages.countTokens({
      model: "claude-sonnet-5",
      system: "x".repeat(3500),
      messages: [{ role: "user", content: "hello" }],
    }).withResponse();
    assert.equal(t.openai.received.length, 0);
    assert.ok(
      res.data.input_tokens >= 1000 && res.data.input_tokens < 1100,
      String(res.data.input_tokens),
    );
    assert.equal(res.response.headers.get("x-detour-estimate"), "true");
    assert.equal(res.response.headers.get("x-detour-provider"), "router");
  } finally {
    await t.close();
  }
});

Deno.test("conformance: fallback from an Anthropic primary (429) to an OpenAI backup, streaming", async () => {
  const primary = mockUpstream(() =>
    anthropicErrorResponse(
      429,
      "rate_limit_error",
      "Number of request tokens has exceeded your rate limit",
      {
        "retry-after": "30",
      },
    )
  );
  const t = await setup(() => sseResponse(RICH_STREAM, 2), {
    before: [{ id: "anthropic", type: "anthropic", baseUrl: primary.url, passthrough: true }],
  });
  try {
    const stream = t.client.messages.stream(claudeCodeRequest());
    const message = await stream.finalMessage();
    const { response } = await stream.withResponse();
    assert.equal(response.headers.get("x-detour-provider"), "router");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      /^anthropic 429 \d+ms, router 200/,
    );
    assert.equal(primary.received.length, 1);
    assert.equal(t.openai.received.length, 1);
    // The client's own key went to the passthrough primary only.
    assert.equal(t.openai.received[0].headers.get("authorization"), "Bearer sk-or-test-key");
    assert.equal(message.stop_reason, "tool_use");
    assert.equal(message.content.length, 4);
  } finally {
    await t.close();
    await primary.close();
  }
});
