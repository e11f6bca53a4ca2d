/** Attempt interceptors: composition order, and each retry sends an attempt at most once more. */
import assert from "node:assert/strict";
import type { ProviderInput } from "../config/schema.ts";
import { apiError, engineFixture, json } from "../../tests/helpers/engine_fixture.ts";
import { type AttemptCall, compose, type Interceptor, retryOnce } from "./interceptors.ts";

const call = { withoutBetas: false, token: null } as unknown as AttemptCall;

Deno.test("interceptors: outermost first; a retry is calling next() again, once", async () => {
  const seen: string[] = [];
  const tag = (name: string): Interceptor => async (_call, next) => {
    seen.push(`${name} in`);
    const res = await next();
    seen.push(`${name} out`);
    return res;
  };
  let sent = 0;
  const send = compose(
    [tag("outer"), retryOnce(() => true), tag("inner")],
    () => Promise.resolve(new Response(String(++sent))),
  );
  const res = await send(call);
  assert.equal(await res.text(), "2", "the retry's answer is the attempt's");
  assert.equal(sent, 2, "retried exactly once although the decision stayed yes");
  assert.deepEqual(seen, [
    "outer in",
    "inner in",
    "inner out",
    "inner in",
    "inner out",
    "outer out",
  ]);
});

const thinkingBody = {
  model: "claude-sonnet-4-5",
  max_tokens: 16,
  messages: [
    { role: "user", content: "hi" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "hmm", signature: "c2lnbmF0dXJl" },
        { type: "text", text: "hello" },
      ],
    },
    { role: "user", content: "again" },
  ],
};
const PRIMARY: ProviderInput = {
  id: "primary",
  type: "anthropic",
  baseUrl: "https://primary.test",
  keys: ["key-primary-one-000"],
};
const signatureRefusal = () =>
  apiError(
    400,
    "invalid_request_error",
    "messages.1.content.0: Invalid `signature` in `thinking` block",
  );
const message = { type: "message", role: "assistant", content: [], usage: {} };

Deno.test("interceptors: a refused thinking signature is retried once without thinking", async () => {
  const t = await engineFixture([PRIMARY], (_r, n) => n === 1 ? signatureRefusal() : json(message));
  try {
    const result = await t.run({ body: thinkingBody });
    assert.equal(result.response.status, 200);
    assert.equal(t.calls.length, 2);
    assert.match(await t.calls[0].text(), /"thinking"/);
    assert.doesNotMatch(await t.calls[1].text(), /"type":"thinking"/);
    assert.deepEqual(result.attempts.map((a) => a.outcome), ["ok"], "one attempt, two sends");
  } finally {
    t.close();
  }
  const again = await engineFixture([PRIMARY], signatureRefusal);
  try {
    const result = await again.run({ body: thinkingBody });
    assert.equal(result.response.status, 400, "the second refusal is the answer");
    assert.equal(again.calls.length, 2);
  } finally {
    again.close();
  }
});

Deno.test("interceptors: a cloud that refuses a beta flag gets the attempt once more without betas", async () => {
  const bedrock: ProviderInput = {
    id: "bedrock",
    type: "bedrock",
    baseUrl: "https://bedrock.test",
    region: "us-east-1",
    awsAccessKeyId: "AKIDEXAMPLE0000000",
    awsSecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  } as ProviderInput;
  const refusal = () => json({ message: "invalid beta flag" }, 400);
  const t = await engineFixture([bedrock], (_r, n) => n === 1 ? refusal() : json(message));
  try {
    const headers = { "anthropic-beta": "context-management-2025-06-27" };
    const result = await t.run({ headers });
    assert.equal(result.response.status, 200);
    assert.equal(t.calls.length, 2);
    assert.equal(t.calls[0].headers.get("anthropic-beta"), "context-management-2025-06-27");
    assert.equal(t.calls[1].headers.get("anthropic-beta"), null);
  } finally {
    t.close();
  }
  const always = await engineFixture([bedrock], refusal);
  try {
    const result = await always.run({ headers: { "anthropic-beta": "context-1m-2025-08-07" } });
    assert.equal(result.response.status, 400);
    assert.equal(always.calls.length, 2, "retried once, not again");
  } finally {
    always.close();
  }
});
