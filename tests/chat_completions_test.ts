/**
 * The OpenAI-compatible entry: `npm:openai` through Detour's POST /v1/chat/completions to a
 * recording Anthropic mock (translated both ways), and to an OpenAI mock (passed through).
 * Also GET /v1/models in the OpenAI list format, and CORS.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  anthropicErrorResponse,
  mockUpstream,
  sseResponse,
  startDetour,
} from "./helpers/harness.ts";

const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** An Anthropic stream: thinking, text, one tool call split in two deltas; cached usage. */
const ANTHROPIC_STREAM = [
  ev("message_start", {
    type: "message_start",
    message: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-5",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 12, cache_read_input_tokens: 30, output_tokens: 1 },
    },
  }),
  ev("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "thinking", thinking: "", signature: "" },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "thinking_delta", thinking: "Hmm." },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "signature_delta", signature: "EqQB" },
  }),
  ev("content_block_stop", { type: "content_block_stop", index: 0 }),
  ev("ping", { type: "ping" }),
  ev("content_block_start", {
    type: "content_block_start",
    index: 1,
    content_block: { type: "text", text: "" },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 1,
    delta: { type: "text_delta", text: "Sunny" },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 1,
    delta: { type: "text_delta", text: " in Paris." },
  }),
  ev("content_block_stop", { type: "content_block_stop", index: 1 }),
  ev("content_block_start", {
    type: "content_block_start",
    index: 2,
    content_block: { type: "tool_use", id: "toolu_01X", name: "get_weather", input: {} },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 2,
    delta: { type: "input_json_delta", partial_json: '{"city": "Ly' },
  }),
  ev("content_block_delta", {
    type: "content_block_delta",
    index: 2,
    delta: { type: "input_json_delta", partial_json: 'on"}' },
  }),
  ev("content_block_stop", { type: "content_block_stop", index: 2 }),
  ev("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 22 },
  }),
  ev("message_stop", { type: "message_stop" }),
];

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}];

const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Weather in Paris?" },
  {
    role: "assistant",
    content: null,
    tool_calls: [{
      id: "call_1",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    }],
  },
  { role: "tool", tool_call_id: "call_1", content: "sunny, 21C" },
  {
    role: "user",
    content: [
      { type: "text", text: "And this picture?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
    ],
  },
];

/** The Anthropic request Detour must send for MESSAGES. */
const EXPECTED_ANTHROPIC = {
  model: "claude-sonnet-5",
  messages: [
    { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
    {
      role: "assistant",
      // History repair: a tool id not in Anthropic's toolu_ form is rewritten, consistently.
      content: [{
        type: "tool_use",
        id: "toolu_call_1",
        name: "get_weather",
        input: { city: "Paris" },
      }],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_call_1", content: "sunny, 21C" },
        { type: "text", text: "And this picture?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      ],
    },
  ],
  system: [{ type: "text", text: "You are terse." }],
  max_tokens: 1000,
  temperature: 0.5,
  stop_sequences: ["END"],
  tools: [{
    name: "get_weather",
    input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    description: "Weather for a city",
  }],
  tool_choice: { type: "any", disable_parallel_tool_use: true },
  metadata: { user_id: "user-42" },
};

async function withAnthropic(
  answer: (req: Request, body: string) => Response,
  run: (client: OpenAI, upstream: ReturnType<typeof mockUpstream>, url: string) => Promise<void>,
) {
  const upstream = mockUpstream(answer);
  const detour = await startDetour({
    providers: [{
      id: "claude",
      type: "anthropic",
      baseUrl: upstream.url,
      keys: ["sk-ant-stored"],
    }],
  });
  try {
    const client = new OpenAI({ baseURL: `${detour.url}/v1`, apiKey: "anything", maxRetries: 0 });
    await run(client, upstream, detour.url);
  } finally {
    await detour.close();
    await upstream.close();
  }
}

Deno.test("chat entry: OpenAI request -> Anthropic request, exactly; JSON answer back", async () => {
  await withAnthropic(
    () =>
      Response.json({
        id: "msg_9",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-5",
        content: [
          { type: "text", text: "Calling." },
          { type: "tool_use", id: "toolu_9", name: "get_weather", input: { city: "Lyon" } },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 5 },
      }),
    async (client, upstream) => {
      const completion = await client.chat.completions.create({
        model: "claude-sonnet-5",
        messages: MESSAGES,
        tools: TOOLS,
        tool_choice: "required",
        parallel_tool_calls: false,
        max_tokens: 1000,
        temperature: 0.5,
        stop: ["END"],
        user: "user-42",
      });
      const sent = upstream.received[0];
      assert.equal(sent.path, "/v1/messages");
      assert.equal(sent.headers.get("x-api-key"), "sk-ant-stored");
      assert.equal(sent.headers.get("anthropic-version"), "2023-06-01");
      assert.deepEqual(JSON.parse(sent.body), EXPECTED_ANTHROPIC);

      assert.equal(completion.object, "chat.completion");
      assert.equal(completion.id, "chatcmpl-msg_9");
      const choice = completion.choices[0];
      assert.equal(choice.finish_reason, "tool_calls");
      assert.equal(choice.message.content, "Calling.");
      assert.deepEqual(choice.message.tool_calls, [{
        id: "toolu_9",
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Lyon"}' },
      }]);
      assert.deepEqual(completion.usage, {
        prompt_tokens: 100,
        completion_tokens: 5,
        total_tokens: 105,
        prompt_tokens_details: { cached_tokens: 90 },
      });
    },
  );
});

Deno.test("chat entry: Anthropic SSE -> OpenAI chunks (reasoning, text, split tool args, usage)", async () => {
  await withAnthropic(() => sseResponse(ANTHROPIC_STREAM), async (client, upstream) => {
    const stream = await client.chat.completions.create({
      model: "claude-sonnet-5",
      messages: [{ role: "user", content: "Weather?" }],
      tools: TOOLS,
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: "low",
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const sent = JSON.parse(upstream.received[0].body);
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.thinking, { type: "enabled", budget_tokens: 2048 });
    assert.equal(sent.max_tokens, 8192);

    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    assert.equal(deltas[0].role, "assistant");
    const reasoning = deltas.map((d) =>
      (d as { reasoning_content?: string }).reasoning_content ?? ""
    )
      .join("");
    assert.equal(reasoning, "Hmm.");
    assert.equal(deltas.map((d) => d.content ?? "").join(""), "Sunny in Paris.");
    const toolDeltas = deltas.flatMap((d) => d.tool_calls ?? []);
    assert.equal(toolDeltas[0].id, "toolu_01X");
    assert.equal(toolDeltas[0].function?.name, "get_weather");
    assert.equal(toolDeltas.map((t) => t.function?.arguments ?? "").join(""), '{"city": "Lyon"}');
    assert.ok(toolDeltas.every((t) => t.index === 0));
    const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean);
    assert.deepEqual(finishes, ["tool_calls"]);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 42,
      completion_tokens: 22,
      total_tokens: 64,
      prompt_tokens_details: { cached_tokens: 30 },
    });
    assert.ok(chunks.every((c) => c.id === "chatcmpl-msg_01"));
  });
});

Deno.test("chat entry: Anthropic errors come back in OpenAI's error shape and status", async () => {
  await withAnthropic(
    () =>
      anthropicErrorResponse(
        400,
        "invalid_request_error",
        "messages: text content blocks must be non-empty",
      ),
    async (client) => {
      const err = await client.chat.completions.create({
        model: "claude-sonnet-5",
        messages: [{ role: "user", content: "x" }],
      }).then(() => null, (e) => e);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.status, 400);
      assert.match(err.message, /must be non-empty/);
      assert.equal((err.error as { type?: string }).type, "invalid_request_error");
    },
  );
  await withAnthropic(() => sseResponse(ANTHROPIC_STREAM), async (_client, upstream, url) => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-5", messages: [], n: 1 }),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /messages/);
    assert.equal(upstream.received.length, 0);
  });
});

Deno.test("chat entry: an OpenAI provider gets the request untranslated, the answer verbatim", async () => {
  const chunks = [
    `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`,
    `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":{"content":[]},"finish_reason":null}]}\n\n`,
    `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`,
    `data: [DONE]\n\n`,
  ];
  const json = {
    id: "c2",
    object: "chat.completion",
    created: 1,
    model: "gpt-x",
    system_fingerprint: "fp_1",
    choices: [{
      index: 0,
      message: { role: "assistant", content: "Hello", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  };
  const upstream = mockUpstream((_req, body) =>
    JSON.parse(body).stream ? sseResponse(chunks) : Response.json(json)
  );
  const detour = await startDetour({
    providers: [{
      id: "oai",
      type: "openai",
      baseUrl: `${upstream.url}/v1/chat/completions`,
      keys: ["sk-oai"],
      maxTokensField: "max_completion_tokens",
      dropFields: ["user"],
      modelMap: { "fast": "gpt-x" },
    }],
  });
  try {
    const client = new OpenAI({ baseURL: `${detour.url}/v1`, apiKey: "anything", maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 50,
      seed: 7,
      logprobs: true,
      user: "u1",
    });
    assert.deepEqual(completion, json);
    const sent = JSON.parse(upstream.received[0].body);
    assert.equal(upstream.received[0].path, "/v1/chat/completions");
    assert.equal(upstream.received[0].headers.get("authorization"), "Bearer sk-oai");
    assert.deepEqual(sent, {
      model: "gpt-x",
      messages: [{ role: "user", content: "hi" }],
      max_completion_tokens: 50,
      seed: 7,
      logprobs: true,
    });

    const res = await fetch(`${detour.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer anything" },
      body: JSON.stringify({
        model: "fast",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    });
    assert.equal(res.headers.get("x-detour-provider"), "oai");
    assert.equal(res.headers.get("x-detour-wire"), null);
    assert.equal(await res.text(), chunks.join(""), "the upstream's chunks, byte for byte");
  } finally {
    await detour.close();
    await upstream.close();
  }
});

Deno.test("chat entry: passthrough error before content falls back to an Anthropic provider", async () => {
  const openai = mockUpstream(() =>
    sseResponse([
      `data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`,
      `data: {"error":{"code":503,"message":"no capacity"}}\n\n`,
    ])
  );
  const anthropic = mockUpstream(() => sseResponse(ANTHROPIC_STREAM));
  const detour = await startDetour({
    providers: [
      { id: "oai", type: "openai", baseUrl: `${openai.url}/v1`, keys: ["k"] },
      { id: "claude", type: "anthropic", baseUrl: anthropic.url, keys: ["sk-ant"] },
    ],
  });
  try {
    const client = new OpenAI({ baseURL: `${detour.url}/v1`, apiKey: "anything", maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create({
      model: "claude-sonnet-5",
      messages: [{ role: "user", content: "Weather?" }],
      stream: true,
    }).withResponse();
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    assert.equal(text, "Sunny in Paris.");
    assert.equal(response.headers.get("x-detour-provider"), "claude");
    assert.match(response.headers.get("x-detour-attempts") ?? "", /^oai stream_error:529/);
  } finally {
    await detour.close();
    await openai.close();
    await anthropic.close();
  }
});

Deno.test("GET /v1/models: OpenAI list for OpenAI clients, Anthropic list otherwise", async () => {
  const detour = await startDetour({
    providers: [{
      id: "claude",
      type: "anthropic",
      baseUrl: "http://127.0.0.1:9",
      keys: ["k"],
      modelMap: { "fast": "claude-haiku-4-5", "deep-think": "claude-opus-4-8" },
    }],
  });
  try {
    const client = new OpenAI({ baseURL: `${detour.url}/v1`, apiKey: "anything", maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      assert.equal(m.object, "model");
      ids.push(m.id);
    }
    assert.deepEqual(ids, ["fast", "deep-think"]);
    const anthropic = await fetch(`${detour.url}/v1/models`, {
      headers: { "anthropic-version": "2023-06-01", authorization: "Bearer x" },
    }).then((r) => r.json());
    assert.equal(anthropic.data[0].type, "model");
    assert.equal(anthropic.has_more, false);
    const forced = await fetch(`${detour.url}/v1/models?format=openai`).then((r) => r.json());
    assert.equal(forced.object, "list");
  } finally {
    await detour.close();
  }
});

Deno.test("CORS: none by default; configured origins get preflight and exposed headers", async () => {
  const upstream = mockUpstream(() => sseResponse(ANTHROPIC_STREAM));
  const closed = await startDetour({
    providers: [{ id: "claude", type: "anthropic", baseUrl: upstream.url, keys: ["k"] }],
  });
  try {
    const pre = await fetch(`${closed.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
  } finally {
    await closed.close();
  }
  const open = await startDetour({
    providers: [{ id: "claude", type: "anthropic", baseUrl: upstream.url, keys: ["k"] }],
    corsOrigins: ["https://app.example"],
  });
  try {
    const pre = await fetch(`${open.url}/v1/messages`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key, anthropic-version, content-type",
      },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(
      pre.headers.get("access-control-allow-headers"),
      "x-api-key, anthropic-version, content-type",
    );
    const res = await fetch(`${open.url}/v1/chat/completions`, {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    await res.body?.cancel();
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /x-detour-provider/);
    const other = await fetch(`${open.url}/v1/models`, {
      headers: { origin: "https://evil.example" },
    });
    await other.body?.cancel();
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  } finally {
    await open.close();
    await upstream.close();
  }
});
