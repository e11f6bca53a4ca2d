/**
 * The vendor mocks' self-tests: each refuses a request that breaks its vendor's documented rule
 * (status and wording) and accepts a correct one, streaming and not.
 */
import assert from "node:assert/strict";
import { anthropicMock } from "./helpers/vendor_mocks/anthropic_rules.ts";
import { anthropicCompatMock } from "./helpers/vendor_mocks/anthropic_compat.ts";
import { gemini3Mock } from "./helpers/vendor_mocks/gemini3.ts";
import { deepseekMock } from "./helpers/vendor_mocks/deepseek.ts";
import type { Json } from "./helpers/vendor_mocks/common.ts";

const ANTHROPIC_HEADERS = {
  "content-type": "application/json",
  "x-api-key": "k",
  "anthropic-version": "2023-06-01",
};
const OPENAI_HEADERS = { "content-type": "application/json", authorization: "Bearer k" };

async function post(url: string, headers: Record<string, string>, body: Json) {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const READ = { type: "tool_use", name: "Read", input: { file_path: "/a" } };

/** An Anthropic-wire tool loop whose last assistant turn is `turn`. */
function anthropicLoop(turn: Json[], thinking: Json | undefined, stream = false): Json {
  const id = String(turn.find((b) => b.type === "tool_use")?.id);
  return {
    model: "claude-sonnet-5",
    max_tokens: 4096,
    ...(thinking ? { thinking } : {}),
    stream,
    messages: [
      { role: "user", content: "fix it" },
      { role: "assistant", content: turn },
      { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "x" }] },
    ],
  };
}

Deno.test("vendor mock: Anthropic refuses foreign signatures and a final tool turn without thinking", async () => {
  const mock = anthropicMock();
  try {
    const url = `${mock.url}/v1/messages`;
    const on = { type: "enabled", budget_tokens: 1024 };
    const first = await post(url, ANTHROPIC_HEADERS, {
      ...anthropicLoop([], on),
      messages: [{ role: "user", content: "go" }],
    });
    assert.equal(first.status, 200);
    const answer = JSON.parse(first.text);
    assert.equal(answer.content[0].type, "thinking");
    assert.equal(answer.content[1].type, "tool_use");
    // Its own signed turn comes back: accepted, streaming and not.
    for (const stream of [false, true]) {
      const ok = await post(url, ANTHROPIC_HEADERS, anthropicLoop(answer.content, on, stream));
      assert.equal(ok.status, 200, ok.text);
    }
    const forged = [{ ...answer.content[0], signature: "detour.v1.gemini" }, answer.content[1]];
    const badSig = await post(url, ANTHROPIC_HEADERS, anthropicLoop(forged, on));
    assert.equal(badSig.status, 400);
    assert.match(badSig.text, /Invalid `signature` in `thinking` block/);
    const bare = await post(
      url,
      ANTHROPIC_HEADERS,
      anthropicLoop([{ ...READ, id: "toolu_x" }], on),
    );
    assert.equal(bare.status, 400);
    assert.match(bare.text, /a final `assistant` message must start with a thinking block/);
    // Thinking disabled explicitly: the same history is accepted.
    const off = await post(
      url,
      ANTHROPIC_HEADERS,
      anthropicLoop([{ ...READ, id: "toolu_x" }], { type: "disabled" }),
    );
    assert.equal(off.status, 200, off.text);
    const badId = await post(
      url,
      ANTHROPIC_HEADERS,
      anthropicLoop([{ ...READ, id: "functions.Read:0" }], { type: "disabled" }),
    );
    assert.equal(badId.status, 400);
    assert.match(badId.text, /String should match pattern/);
  } finally {
    await mock.close();
  }
});

Deno.test("vendor mock: DeepSeek's and Kimi's Anthropic endpoints need each tool turn's thinking", async () => {
  for (const vendor of ["deepseek", "kimi"] as const) {
    const mock = anthropicCompatMock(vendor);
    try {
      const url = `${mock.url}/v1/messages`;
      const bare = await post(
        url,
        ANTHROPIC_HEADERS,
        anthropicLoop([{ ...READ, id: "call_1" }], undefined),
      );
      assert.equal(bare.status, 400, vendor);
      assert.match(
        bare.text,
        vendor === "kimi" ? /reasoning_content is missing/ : /must be passed back/,
      );
      for (const stream of [false, true]) {
        const withThinking = anthropicLoop(
          [
            { type: "thinking", thinking: "", signature: "" },
            { ...READ, id: "call_1" },
          ],
          undefined,
          stream,
        );
        const ok = await post(url, ANTHROPIC_HEADERS, withThinking);
        assert.equal(ok.status, 200, ok.text);
      }
      const off = await post(
        url,
        ANTHROPIC_HEADERS,
        anthropicLoop([{ ...READ, id: "call_1" }], { type: "disabled" }),
      );
      assert.equal(off.status, 200, off.text);
    } finally {
      await mock.close();
    }
  }
});

/** An OpenAI-wire tool loop whose last assistant message is `assistant`. */
function chatLoop(assistant: Json, stream = false): Json {
  const id = String((assistant.tool_calls as Json[])[0].id);
  return {
    model: "m",
    stream,
    messages: [
      { role: "user", content: "fix it" },
      { role: "assistant", content: null, ...assistant },
      { role: "tool", tool_call_id: id, content: "x" },
    ],
  };
}

const call = (id: string, extra?: Json) => ({
  id,
  type: "function",
  function: { name: "Read", arguments: "{}" },
  ...(extra ? { extra_content: extra } : {}),
});

Deno.test("vendor mock: Gemini 3 refuses a tool call without its thought signature", async () => {
  const mock = gemini3Mock();
  try {
    const url = `${mock.url}/chat/completions`;
    const first = await post(url, OPENAI_HEADERS, {
      model: "m",
      messages: [{ role: "user", content: "go" }],
    });
    const made = JSON.parse(first.text).choices[0].message.tool_calls[0];
    assert.ok(made.extra_content.google.thought_signature);
    const missing = await post(url, OPENAI_HEADERS, chatLoop({ tool_calls: [call(made.id)] }));
    assert.equal(missing.status, 400);
    const error = JSON.parse(missing.text);
    assert.ok(Array.isArray(error));
    assert.match(error[0].error.message, /Function call is missing a thought_signature/);
    const wrong = { google: { thought_signature: "forged" } };
    assert.equal(
      (await post(url, OPENAI_HEADERS, chatLoop({ tool_calls: [call(made.id, wrong)] }))).status,
      400,
    );
    for (const stream of [false, true]) {
      const own = await post(url, OPENAI_HEADERS, chatLoop({ tool_calls: [made] }, stream));
      assert.equal(own.status, 200, own.text);
      const dummy = { google: { thought_signature: "skip_thought_signature_validator" } };
      const foreign = await post(
        url,
        OPENAI_HEADERS,
        chatLoop({ tool_calls: [call("toolu_1", dummy)] }, stream),
      );
      assert.equal(foreign.status, 200, foreign.text);
    }
  } finally {
    await mock.close();
  }
});

Deno.test("vendor mock: DeepSeek refuses a tool turn without reasoning_content", async () => {
  const mock = deepseekMock();
  try {
    const url = `${mock.url}/chat/completions`;
    const missing = await post(url, OPENAI_HEADERS, chatLoop({ tool_calls: [call("call_1")] }));
    assert.equal(missing.status, 400);
    assert.equal(
      JSON.parse(missing.text).error.message,
      "The `reasoning_content` in the thinking mode must be passed back to the API.",
    );
    for (const stream of [false, true]) {
      const ok = await post(
        url,
        OPENAI_HEADERS,
        chatLoop({ reasoning_content: "", tool_calls: [call("call_1")] }, stream),
      );
      assert.equal(ok.status, 200, ok.text);
    }
    const off = { ...chatLoop({ tool_calls: [call("call_1")] }), thinking: { type: "disabled" } };
    assert.equal((await post(url, OPENAI_HEADERS, off)).status, 200);
  } finally {
    await mock.close();
  }
});
