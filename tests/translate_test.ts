/** Unit tests for the pure translators and SSE transforms in lib/translate (no servers). */
import assert from "node:assert/strict";
import { anthropicToOpenAIRequest, effortFor } from "../lib/translate/anthropic_to_openai.ts";
import {
  messageToAnthropicSse,
  openAIResponseToAnthropic,
  openAIStreamToAnthropic,
  parseToolArguments,
  stopReasonFor,
} from "../lib/translate/openai_to_anthropic.ts";
import {
  openAIRequestToAnthropic,
  UntranslatableRequest,
} from "../lib/translate/openai_request_to_anthropic.ts";
import {
  anthropicResponseToOpenAI,
  anthropicStreamToOpenAI,
  finishReasonFor,
} from "../lib/translate/anthropic_to_openai_response.ts";
import { estimateInputTokens } from "../lib/translate/estimate.ts";
import { fnv64 } from "../lib/fingerprint.ts";
import { sseEventStream } from "../lib/translate/sse.ts";

type Json = Record<string, unknown>;
const opts = { model: "m" };

/** Runs byte chunks through sseEventStream + a transform; returns the output text. */
async function pipe(
  chunks: string[],
  transform: TransformStream<import("../lib/translate/sse.ts").EventSourceMessage, Uint8Array>,
): Promise<string> {
  const enc = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
  return await new Response(source.pipeThrough(sseEventStream()).pipeThrough(transform)).text();
}

/** Parsed events of an Anthropic SSE text. */
function events(text: string): { event: string; data: Json }[] {
  return text.split("\n\n").filter(Boolean).map((block) => {
    const event = block.match(/^event: (.*)$/m)![1];
    const data = JSON.parse(block.match(/^data: (.*)$/m)![1]);
    assert.equal(data.type, event, "event name and data.type agree");
    return { event, data };
  });
}

const oc = (delta: Json, finish: string | null = null, extra: Json = {}) =>
  `data: ${
    JSON.stringify({ id: "x", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })
  }\n\n`;

Deno.test("A->O request: system string, tool_choice, stop, dropFields, field names", () => {
  const out = anthropicToOpenAIRequest({
    model: "claude",
    system: "Be brief.",
    max_tokens: 100,
    temperature: 0.2,
    top_p: 0.9,
    top_k: 5,
    stop_sequences: ["a", "b", "c", "d", "e"],
    tools: [
      { name: "t", input_schema: { type: "object" } },
      { type: "web_search_20250305", name: "web_search", max_uses: 3 },
    ],
    tool_choice: { type: "tool", name: "t", disable_parallel_tool_use: true },
    metadata: { user_id: "short-id" },
    messages: [{ role: "user", content: "hi" }],
  }, {
    ...opts,
    maxTokensField: "max_completion_tokens",
    dropFields: ["top_p"],
  }, fnv64);
  assert.deepEqual(out, {
    model: "m",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }],
    max_completion_tokens: 100,
    temperature: 0.2,
    stop: ["a", "b", "c", "d"],
    tools: [{ type: "function", function: { name: "t", parameters: { type: "object" } } }],
    tool_choice: { type: "function", function: { name: "t" } },
    parallel_tool_calls: false,
    user: "short-id",
  });
  const choices = ["auto", "any", "none"].map((type) =>
    anthropicToOpenAIRequest(
      {
        tools: [{ name: "t", input_schema: {} }],
        tool_choice: { type },
        messages: [],
      },
      opts,
      fnv64,
    ).tool_choice
  );
  assert.deepEqual(choices, ["auto", "required", "none"]);
});

Deno.test("A->O request: thinking per reasoning mode; effort from budget", () => {
  const body = {
    thinking: { type: "enabled", budget_tokens: 31999 },
    messages: [{ role: "user", content: "x" }],
  };
  const t = (reasoning: "none" | "reasoning_effort" | "openrouter" | "thinking", b: Json = body) =>
    anthropicToOpenAIRequest(b, { ...opts, reasoning }, fnv64);
  assert.equal(t("none").reasoning, undefined);
  assert.equal(t("reasoning_effort").reasoning_effort, "high");
  assert.deepEqual(t("openrouter").reasoning, { max_tokens: 31999 });
  assert.deepEqual(t("thinking").thinking, { type: "enabled" });
  const adaptive = { ...body, thinking: { type: "adaptive" }, output_config: { effort: "low" } };
  assert.deepEqual(t("openrouter", adaptive).reasoning, { effort: "low" });
  assert.equal(t("reasoning_effort", adaptive).reasoning_effort, "low");
  const off = { ...body, thinking: { type: "disabled" } };
  assert.equal(t("reasoning_effort", off).reasoning_effort, undefined);
  assert.deepEqual(t("thinking", off).thinking, { type: "disabled" });
  assert.equal(effortFor(2000), "low");
  assert.equal(effortFor(8000), "medium");
  assert.equal(effortFor(undefined, "max"), "high");
});

Deno.test("A->O request: documents, URL images, mid-conversation system, reasoning history", () => {
  const out = anthropicToOpenAIRequest(
    {
      messages: [
        {
          role: "user",
          content: [
            {
              type: "document",
              title: "spec.pdf",
              source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
            },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "plain" } },
            { type: "image", source: { type: "url", url: "https://x/a.png" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "mine", signature: "detour.v1.p" },
            { type: "redacted_thinking", data: "zzz" },
            { type: "text", text: "ok" },
          ],
        },
        { role: "system", content: "Mid-conversation note." },
      ],
      output_config: { format: { type: "json_schema", schema: { type: "object" } } },
      metadata: { user_id: "u".repeat(100) },
    },
    { ...opts, reasoningHistory: "reasoning_content" },
    fnv64,
  );
  const messages = out.messages as Json[];
  assert.deepEqual(messages[0], {
    role: "user",
    content: [
      {
        type: "file",
        file: { filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBE" },
      },
      { type: "text", text: "plain" },
      { type: "image_url", image_url: { url: "https://x/a.png" } },
    ],
  });
  assert.deepEqual(messages[1], { role: "assistant", content: "ok", reasoning_content: "mine" });
  assert.deepEqual(messages[2], { role: "system", content: "Mid-conversation note." });
  assert.deepEqual(out.response_format, {
    type: "json_schema",
    json_schema: { name: "output", schema: { type: "object" }, strict: true },
  });
  assert.equal(out.user, `detour-${fnv64("u".repeat(100))}`);
  // Without reasoningHistory, thinking never goes to an OpenAI server.
  const plain = anthropicToOpenAIRequest(
    {
      messages: [{
        role: "assistant",
        content: [{ type: "thinking", thinking: "x", signature: "s" }],
      }],
    },
    opts,
    fnv64,
  );
  assert.deepEqual(plain.messages, []);
});

Deno.test("O->A response: text, reasoning, refusal, stop reasons, DeepSeek cache usage", () => {
  const msg = openAIResponseToAnthropic({
    id: "chatcmpl-1",
    model: "deepseek-chat",
    choices: [{
      finish_reason: "length",
      message: { content: [{ type: "text", text: "par" }, { type: "text", text: "ts" }] },
    }],
    usage: { prompt_tokens: 100, completion_tokens: 9, prompt_cache_hit_tokens: 60 },
  }, { model: "m", provider: "p" });
  assert.deepEqual(msg, {
    id: "msg_chatcmpl-1",
    type: "message",
    role: "assistant",
    model: "deepseek-chat",
    content: [{ type: "text", text: "parts" }],
    stop_reason: "max_tokens",
    stop_sequence: null,
    usage: {
      input_tokens: 40,
      output_tokens: 9,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 0,
    },
  });
  const refused = openAIResponseToAnthropic({
    choices: [{ finish_reason: "stop", message: { content: null, refusal: "I can't." } }],
  }, { model: "m", provider: "p" });
  assert.equal(refused.stop_reason, "refusal");
  assert.equal(stopReasonFor("content_filter", false), "refusal");
  assert.equal(stopReasonFor("stop", true), "tool_use");
  assert.equal(stopReasonFor("tool_calls", false), "end_turn");
  assert.deepEqual(parseToolArguments('"{\\"a\\":1}"'), { a: 1 }, "double-encoded");
  assert.deepEqual(parseToolArguments("[1]"), { _raw_arguments: "[1]" });
  assert.deepEqual(parseToolArguments(""), {});
  assert.deepEqual(parseToolArguments({ a: 2 }), { a: 2 });
});

Deno.test("O->A stream: bytes split anywhere, blocks switch kinds, interleaved tool calls", async () => {
  const stream = [
    ": keep-alive\n\n",
    oc({ role: "assistant", content: "" }),
    oc({ content: "A" }),
    oc({ reasoning_content: "think" }),
    oc({ content: "B" }),
    oc({ tool_calls: [{ index: 0, id: "c0", function: { name: "f", arguments: '{"a":' } }] }),
    oc({ tool_calls: [{ index: 1, id: "c1", function: { name: "g", arguments: "{}" } }] }),
    oc({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
    oc({}, "tool_calls"),
    `data: ${
      JSON.stringify({
        id: "x",
        choices: [],
        x_groq: { usage: { prompt_tokens: 5, completion_tokens: 2 } },
      })
    }\n\n`,
    "data: [DONE]\n\n",
  ].join("");
  // Split the bytes at every 7th character, mid-line and mid-UTF-8 irrelevant (ASCII here).
  const pieces = stream.match(/[\s\S]{1,7}/g)!;
  const out = events(await pipe(pieces, openAIStreamToAnthropic({ model: "m", provider: "p" })));
  const view = out.map(({ event, data }) =>
    event === "content_block_start"
      ? `start ${data.index} ${(data.content_block as Json).type}`
      : event === "content_block_delta"
      ? `delta ${data.index} ${(data.delta as Json).type}`
      : event === "content_block_stop"
      ? `stop ${data.index}`
      : event
  );
  assert.deepEqual(view, [
    "message_start",
    "start 0 text",
    "delta 0 text_delta",
    "stop 0",
    "start 1 thinking",
    "delta 1 thinking_delta",
    "delta 1 signature_delta",
    "stop 1",
    "start 2 text",
    "delta 2 text_delta",
    "stop 2",
    "start 3 tool_use",
    "delta 3 input_json_delta",
    "stop 3",
    "start 4 tool_use",
    "delta 4 input_json_delta",
    "stop 4",
    "message_delta",
    "message_stop",
  ]);
  assert.equal(((out[12].data.delta) as Json).partial_json, '{"a":1}');
  assert.equal(((out[15].data.delta) as Json).partial_json, "{}");
  const md = out.at(-2)!.data;
  assert.deepEqual(md.delta, { stop_reason: "tool_use", stop_sequence: null });
  assert.equal((md.usage as Json).input_tokens, 5);
  assert.equal((md.usage as Json).output_tokens, 2);
});

Deno.test("O->A stream: endings — no [DONE] after finish is fine; truncation and silence are errors", async () => {
  const t = (chunks: string[]) =>
    pipe(chunks, openAIStreamToAnthropic({ model: "m", provider: "p" }));
  const noDone = events(await t([oc({ content: "hi" }), oc({}, "stop")]));
  assert.deepEqual(noDone.slice(-2).map((e) => e.event), ["message_delta", "message_stop"]);
  const truncated = events(await t([oc({ content: "hi" })]));
  assert.deepEqual(truncated.slice(-2).map((e) => e.event), ["content_block_stop", "error"]);
  const silent = events(await t([]));
  assert.deepEqual(silent.map((e) => e.event), ["error"]);
  const early = events(
    await t([`data: {"error":{"message":"quota","code":"insufficient_quota"}}\n\n`]),
  );
  assert.deepEqual(early.map((e) => e.event), ["error"]);
  assert.equal((early[0].data.error as Json).type, "rate_limit_error");
});

Deno.test("O->A: a whole message replayed as SSE", () => {
  const text = new TextDecoder().decode(
    new Uint8Array(
      messageToAnthropicSse({
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "m",
        content: [
          { type: "thinking", thinking: "t", signature: "detour.v1.p" },
          { type: "tool_use", id: "c", name: "f", input: { a: 1 } },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 2 },
      }).flatMap((b) => [...b]),
    ),
  );
  assert.deepEqual(events(text).map((e) => e.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
});

Deno.test("O->A request (chat entry): roles, tool results, legacy functions, limits", () => {
  const out = openAIRequestToAnthropic({
    model: "m",
    messages: [
      { role: "developer", content: "dev rules" },
      { role: "system", content: [{ type: "text", text: "sys" }] },
      { role: "user", content: "q" },
      { role: "assistant", content: "a", function_call: { name: "f", arguments: "{}" } },
      { role: "function", name: "f", content: "done" },
      { role: "tool", tool_call_id: "t2", content: [{ type: "text", text: "r2" }] },
    ],
    functions: [{ name: "f", parameters: { type: "object" } }],
    temperature: 1.7,
    max_tokens: 1500,
    reasoning_effort: "medium",
    stop: "STOP",
    response_format: {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "object" } },
    },
  });
  assert.deepEqual(out.system, [{ type: "text", text: "dev rules" }, {
    type: "text",
    text: "sys",
  }]);
  assert.deepEqual(out.messages, [
    { role: "user", content: [{ type: "text", text: "q" }] },
    {
      role: "assistant",
      content: [
        { type: "text", text: "a" },
        { type: "tool_use", id: "call_f", name: "f", input: {} },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_f", content: "done" },
        { type: "tool_result", tool_use_id: "t2", content: "r2" },
      ],
    },
  ]);
  assert.deepEqual(out.tools, [{ name: "f", input_schema: { type: "object" } }]);
  // Budget fits under max_tokens; temperature goes with thinking.
  assert.deepEqual(out.thinking, { type: "enabled", budget_tokens: 1499 });
  assert.equal(out.temperature, undefined);
  assert.deepEqual(out.stop_sequences, ["STOP"]);
  assert.deepEqual(out.output_config, {
    format: { type: "json_schema", schema: { type: "object" } },
  });
  const cool = openAIRequestToAnthropic({
    model: "m",
    messages: [{ role: "user", content: "x" }],
    temperature: 1.7,
  });
  assert.equal(cool.temperature, 1);
  assert.equal(cool.max_tokens, 8192);
  assert.throws(
    () =>
      openAIRequestToAnthropic({ model: "m", messages: [{ role: "user", content: "x" }], n: 2 }),
    UntranslatableRequest,
  );
});

Deno.test("A->O response (chat entry): JSON, finish reasons, stream errors and truncation", async () => {
  const out = anthropicResponseToOpenAI({
    id: "msg_1",
    model: "claude",
    content: [{ type: "thinking", thinking: "t" }, { type: "text", text: "x" }],
    stop_reason: "max_tokens",
    usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3 },
  }, 1000);
  assert.deepEqual(out, {
    id: "chatcmpl-msg_1",
    object: "chat.completion",
    created: 1000,
    model: "claude",
    choices: [{
      index: 0,
      message: { role: "assistant", content: "x", reasoning_content: "t" },
      logprobs: null,
      finish_reason: "length",
    }],
    usage: {
      prompt_tokens: 4,
      completion_tokens: 2,
      total_tokens: 6,
      prompt_tokens_details: { cached_tokens: 0 },
    },
  });
  assert.equal(finishReasonFor("end_turn"), "stop");
  assert.equal(finishReasonFor("refusal"), "content_filter");
  const errored = await pipe([
    `event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{}}}\n\n`,
    `event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`,
  ], anthropicStreamToOpenAI({ includeUsage: true }));
  const lines = errored.split("\n\n").filter(Boolean).map((l) => JSON.parse(l.slice(6)));
  assert.equal(lines[0].choices[0].delta.role, "assistant");
  assert.deepEqual(lines[1].error, {
    message: "Overloaded",
    type: "server_error",
    param: null,
    code: "overloaded_error",
  });
  const cut = await pipe([
    `event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{}}}\n\n`,
  ], anthropicStreamToOpenAI({ includeUsage: false }));
  assert.match(cut, /"error":\{"message":"the upstream stream ended before the answer finished"/);
  assert.ok(!cut.includes("[DONE]"));
});

Deno.test("count_tokens estimate: text by characters, images flat, tools counted", () => {
  const base = estimateInputTokens({ messages: [{ role: "user", content: "x".repeat(350) }] });
  assert.equal(base, 100 + 4);
  const withImage = estimateInputTokens({
    messages: [{
      role: "user",
      content: [{
        type: "image",
        source: { type: "base64", media_type: "image/png", data: "A".repeat(90000) },
      }],
    }],
  });
  assert.equal(withImage, 1600 + 4);
  const withTools = estimateInputTokens({
    tools: [{ name: "t", input_schema: { type: "object" } }],
    messages: [],
  });
  assert.ok(withTools > 8);
});

Deno.test("O->A stream: calls that reuse index 0 with new ids stay separate", async () => {
  const out = events(
    await pipe([
      oc({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: '{"x":1}' } }] }),
      oc({ tool_calls: [{ index: 0, id: "b", function: { name: "g", arguments: '{"y":2}' } }] }),
      oc({}, "tool_calls"),
      "data: [DONE]\n\n",
    ], openAIStreamToAnthropic({ model: "m", provider: "p" })),
  );
  const starts = out.filter((e) => e.event === "content_block_start")
    .map((e) => (e.data.content_block as Json).id);
  assert.deepEqual(starts, ["a", "b"]);
  const inputs = out.filter((e) => e.event === "content_block_delta")
    .map((e) => (e.data.delta as Json).partial_json);
  assert.deepEqual(inputs, ['{"x":1}', '{"y":2}']);
});
