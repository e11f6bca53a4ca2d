/**
 * Bedrock through Detour, against a mock Bedrock runtime on 127.0.0.1 that verifies SigV4 with
 * @smithy/signature-v4 and streams real AWS event-stream frames. The official
 * @anthropic-ai/bedrock-sdk, pointed at the same mock, is the reference for the request shape.
 */
import assert from "node:assert/strict";
import { usageToday } from "./helpers/usage.ts";
import Anthropic from "@anthropic-ai/sdk";
import AnthropicBedrock from "@anthropic-ai/bedrock-sdk";
import type { ProviderInput } from "../lib/config/schema.ts";
import {
  anthropicMessage,
  mockUpstream,
  type RunningDetour,
  startDetour,
} from "./helpers/harness.ts";
import {
  anthropicEvents,
  type AwsCredentials,
  bedrockError,
  type BedrockScript,
  chunkFrame,
  concat,
  exceptionFrame,
  mockBedrock,
  sliced,
} from "./helpers/cloud_mocks.ts";

const CREDS: AwsCredentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const TEMP_CREDS: AwsCredentials = {
  accessKeyId: "ASIAIOSFODNN7TEMPKEY",
  secretAccessKey: "temporary/secret/key/0123456789abcdefXYZ",
  sessionToken: "FwoGZXIvYXdzEJr//////////wEaDOsessiontoken0123456789",
};
const API_KEY = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLTAxMjM0NTY3ODk=";
const BETAS = "context-1m-2025-08-07,interleaved-thinking-2025-05-14";

/** A Claude Code-like request body (system blocks with cache_control, a tool, metadata). */
function params(model: string) {
  return {
    model,
    max_tokens: 512,
    system: [
      { type: "text" as const, text: "You are Claude Code." },
      {
        type: "text" as const,
        text: "Be brief.",
        cache_control: { type: "ephemeral" as const },
      },
    ],
    messages: [{ role: "user" as const, content: "Say hello" }],
    tools: [{
      name: "Read",
      description: "Reads a file",
      input_schema: {
        type: "object" as const,
        properties: { path: { type: "string" } },
        required: ["path"],
      },
    }],
    metadata: { user_id: '{"device_id":"d","session_id":"s"}' },
  };
}

async function setup(
  opts: {
    provider?: Partial<ProviderInput>;
    script?: BedrockScript;
    backup?: boolean;
    slice?: number;
  } = {},
) {
  const bedrock = mockBedrock({
    credentials: [CREDS, TEMP_CREDS],
    apiKeys: [API_KEY],
    script: opts.script,
    slice: opts.slice,
  });
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("from backup", JSON.parse(body).model))
  );
  const providers: ProviderInput[] = [{
    id: "bedrock",
    type: "bedrock",
    baseUrl: bedrock.url,
    region: "us-east-1",
    awsAccessKeyId: CREDS.accessKeyId,
    awsSecretAccessKey: CREDS.secretAccessKey,
    ...opts.provider,
  } as ProviderInput];
  if (opts.backup) {
    providers.push({
      id: "backup",
      type: "anthropic",
      baseUrl: backup.url,
      keys: ["sk-backup-0123456789abcdef"],
    });
  }
  const detour = await startDetour({ providers, cooldownSeconds: 0 });
  const client = new Anthropic({
    baseURL: detour.url,
    apiKey: "sk-ant-client-0123456789",
    maxRetries: 0,
  });
  return {
    bedrock,
    backup,
    detour,
    client,
    close: async () => {
      await detour.close();
      await bedrock.close();
      await backup.close();
    },
  };
}

function sdkFor(url: string, creds: AwsCredentials = CREDS) {
  return new AnthropicBedrock({
    awsRegion: "us-east-1",
    awsAccessKey: creds.accessKeyId,
    awsSecretKey: creds.secretAccessKey,
    awsSessionToken: creds.sessionToken ?? null,
    apiKey: null,
    baseURL: url,
    maxRetries: 0,
    // The same input: Bedrock's documented API version (the SDK copies this header to the body).
    defaultHeaders: { "anthropic-version": "bedrock-2023-05-31" },
  });
}

/** The parts of two upstream requests that must be the same. */
function assertSameRequest(
  sdk: { path: string; text: string; headers: Headers },
  detour: { path: string; text: string; headers: Headers },
) {
  assert.equal(detour.path, sdk.path);
  assert.equal(detour.text, sdk.text, "body bytes differ from the official SDK's");
  for (
    const h of [
      "content-type",
      "accept",
      "anthropic-beta",
      "x-amz-content-sha256",
      "x-amz-security-token",
    ]
  ) {
    assert.equal(detour.headers.get(h), sdk.headers.get(h), `header ${h}`);
  }
  const scope = (h: Headers) => h.get("authorization")?.match(/Credential=[^,]+/)?.[0];
  assert.equal(scope(detour.headers), scope(sdk.headers));
  assert.match(detour.headers.get("authorization")!, /^AWS4-HMAC-SHA256 /);
}

Deno.test("bedrock: streamed request matches @anthropic-ai/bedrock-sdk's; SigV4 verified; SSE re-emitted", async () => {
  const t = await setup();
  try {
    const bedrockId = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    // Reference: the official SDK straight to the mock.
    const ref = await sdkFor(t.bedrock.url).messages.create(
      { ...params(bedrockId), stream: true },
      { headers: { "anthropic-beta": BETAS } },
    );
    let refText = "";
    for await (const ev of ref) {
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
        refText += ev.delta.text;
      }
    }
    assert.equal(refText, "hello from bedrock stream");

    // Detour, fed the Anthropic id by the Anthropic SDK.
    const stream = t.client.messages.stream(params("claude-haiku-4-5-20251001"), {
      headers: { "anthropic-beta": BETAS },
    });
    const final = await stream.finalMessage();
    assert.equal(
      final.content[0].type === "text" && final.content[0].text,
      "hello from bedrock stream",
    );
    assert.equal(final.stop_reason, "end_turn");

    assert.deepEqual(t.bedrock.rejected, [], "every signature verified");
    assert.equal(t.bedrock.received.length, 2);
    const [sdkReq, detourReq] = t.bedrock.received;
    assert.equal(sdkReq.path, `/model/${bedrockId}/invoke-with-response-stream`);
    assertSameRequest(sdkReq, detourReq);
    const body = JSON.parse(detourReq.text);
    assert.equal(body.anthropic_version, "bedrock-2023-05-31");
    assert.deepEqual(body.anthropic_beta, BETAS.split(","));
    assert.ok(!("model" in body) && !("stream" in body));
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: non-streaming request matches the SDK's (temporary credentials with a session token)", async () => {
  const t = await setup({
    provider: {
      awsAccessKeyId: TEMP_CREDS.accessKeyId,
      awsSecretAccessKey: TEMP_CREDS.secretAccessKey,
      awsSessionToken: TEMP_CREDS.sessionToken,
    },
  });
  try {
    const bedrockId = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    const ref = await sdkFor(t.bedrock.url, TEMP_CREDS).messages.create(params(bedrockId));
    const viaDetour = await t.client.messages.create(params("claude-haiku-4-5"));
    assert.deepEqual(viaDetour.content, ref.content);
    assert.deepEqual(t.bedrock.rejected, []);
    const [sdkReq, detourReq] = t.bedrock.received;
    assert.equal(sdkReq.path, `/model/${bedrockId}/invoke`);
    assertSameRequest(sdkReq, detourReq);
    assert.equal(detourReq.headers.get("x-amz-security-token"), TEMP_CREDS.sessionToken);
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: a wrong secret fails the mock's signature check and falls back", async () => {
  const t = await setup({
    provider: { awsSecretAccessKey: "not-the-right-secret-0123456789" },
    backup: true,
  });
  try {
    const res = await t.client.messages.create(params("claude-sonnet-4-6")).withResponse();
    assert.equal(res.data.content[0].type === "text" && res.data.content[0].text, "from backup");
    assert.deepEqual(t.bedrock.rejected, ["InvalidSignatureException"]);
    assert.match(res.response.headers.get("x-detour-attempts")!, /^bedrock 401 \d+ms, backup 200/);
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: a Bedrock API key goes as Bearer; keys rotate like any stored key", async () => {
  const t = await setup({
    provider: { awsAccessKeyId: undefined, awsSecretAccessKey: undefined, keys: [API_KEY] },
  });
  try {
    const msg = await t.client.messages.create(params("claude-opus-4-6"));
    assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from bedrock");
    const rec = t.bedrock.received[0];
    assert.equal(rec.headers.get("authorization"), `Bearer ${API_KEY}`);
    assert.equal(rec.path, "/model/us.anthropic.claude-opus-4-6-v1/invoke");
  } finally {
    await t.close();
  }
});

for (
  const [exception, status, wireStatus, type] of [
    ["ThrottlingException", 429, 429, "rate_limit_error"],
    ["ServiceUnavailableException", 503, 503, "overloaded_error"],
    ["ModelNotReadyException", 429, 529, "overloaded_error"],
    ["ServiceQuotaExceededException", 400, 429, "rate_limit_error"],
    ["InternalServerException", 500, 500, "api_error"],
    ["AccessDeniedException", 403, 403, "permission_error"],
  ] as const
) {
  Deno.test(`bedrock: ${exception} (HTTP ${status}) is ${wireStatus} ${type} and falls back`, async () => {
    const t = await setup({
      backup: true,
      script: () => bedrockError(status, exception, `${exception} from the mock`),
    });
    try {
      const res = await fetch(`${t.detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(params("claude-sonnet-4-6")),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-detour-provider"), "backup");
      assert.match(res.headers.get("x-detour-attempts")!, new RegExp(`^bedrock ${wireStatus} `));
      await res.body?.cancel();
    } finally {
      await t.close();
    }
  });
}

Deno.test("bedrock: ValidationException is the client's answer, in Anthropic's error format", async () => {
  const t = await setup({
    backup: true,
    script: () => bedrockError(400, "ValidationException", "messages: field required"),
  });
  try {
    const res = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params("claude-sonnet-4-6")),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "Bedrock ValidationException: messages: field required",
      },
    });
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: a throttlingException frame before any content falls back; after content it ends the stream with an error event", async () => {
  const events = anthropicEvents("partial answer here");
  const early = concat([
    chunkFrame(events[0]),
    exceptionFrame("throttlingException", "Too many tokens"),
  ]);
  const late = concat([
    ...events.slice(0, 4).map(chunkFrame),
    exceptionFrame("modelStreamErrorException", "stream broke"),
  ]);
  let n = 0;
  const t = await setup({
    backup: true,
    script: (_rec, op) => {
      if (op !== "invoke-with-response-stream") return undefined;
      n++;
      return new Response(sliced(n === 1 ? early : late, 5), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    },
  });
  try {
    const first = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...params("claude-sonnet-4-6"), stream: true }),
    });
    assert.equal(first.headers.get("x-detour-provider"), "backup");
    assert.match(first.headers.get("x-detour-attempts")!, /^bedrock stream_error:429 /);
    await first.body?.cancel();

    const second = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...params("claude-sonnet-4-6"), stream: true }),
    });
    assert.equal(second.headers.get("x-detour-provider"), "bedrock");
    const text = await second.text();
    assert.match(text, /event: content_block_delta\ndata: \{"type":"content_block_delta"/);
    assert.match(
      text,
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Bedrock modelStreamErrorException: stream broke"\}\}\n\n$/,
    );
    assert.ok(!text.includes("message_stop"));
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: count_tokens uses CountTokens with the foundation model id, else a local estimate", async () => {
  let supported = true;
  const t = await setup({
    script: (_rec, op) =>
      op === "count-tokens" && !supported
        ? bedrockError(
          400,
          "ValidationException",
          "The provided model doesn't support counting tokens.",
        )
        : undefined,
  });
  try {
    const counted = await t.client.messages.countTokens({
      model: "claude-haiku-4-5-20251001",
      messages: [{ role: "user", content: "How many tokens is this?" }],
    });
    const rec = t.bedrock.received[0];
    assert.equal(rec.path, "/model/anthropic.claude-haiku-4-5-20251001-v1:0/count-tokens");
    const inner = JSON.parse(atob(JSON.parse(rec.text).input.invokeModel.body));
    assert.equal(inner.anthropic_version, "bedrock-2023-05-31");
    assert.equal(counted.input_tokens, JSON.stringify(inner.messages).length);
    assert.deepEqual(t.bedrock.rejected, []);

    supported = false;
    const res = await fetch(`${t.detour.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-opus-4-8",
        messages: [{ role: "user", content: "x".repeat(350) }],
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-estimate"), "true");
    const est = await res.json();
    assert.ok(est.input_tokens >= 100 && est.input_tokens <= 120, String(est.input_tokens));
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: betas Bedrock refuses are not sent; an 'invalid beta flag' retries once without betas", async () => {
  let refusals = 0;
  const t = await setup({
    script: (rec) => {
      const body = JSON.parse(rec.text);
      if (body.anthropic_beta?.includes("context-management-2025-06-27")) {
        refusals++;
        return bedrockError(400, "ValidationException", "invalid beta flag");
      }
      return undefined;
    },
  });
  try {
    await t.client.messages.create(params("claude-sonnet-4-6"), {
      headers: {
        "anthropic-beta": "oauth-2025-04-20,prompt-caching-scope-2026-01-05,effort-2025-11-24",
      },
    });
    const body = JSON.parse(t.bedrock.received[0].text);
    assert.deepEqual(body.anthropic_beta, ["effort-2025-11-24"]);

    const msg = await t.client.messages.create(params("claude-sonnet-4-6"), {
      headers: { "anthropic-beta": "context-management-2025-06-27" },
    });
    assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from bedrock");
    assert.equal(refusals, 1);
    const retried = JSON.parse(t.bedrock.received.at(-1)!.text);
    assert.ok(!("anthropic_beta" in retried));
    assert.equal(t.bedrock.received.at(-1)!.headers.get("anthropic-beta"), null);
  } finally {
    await t.close();
  }
});

Deno.test("model names: Bedrock- and Vertex-style names reach Anthropic providers as Anthropic ids", async () => {
  const upstream = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("ok", JSON.parse(body).model))
  );
  let detour: RunningDetour | null = null;
  try {
    detour = await startDetour({
      providers: [
        {
          id: "anthropic",
          type: "anthropic",
          baseUrl: upstream.url,
          keys: ["sk-test-0123456789abcdef"],
        },
      ],
    });
    const sent = async (model: string) => {
      const r = await fetch(`${detour!.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params(model)),
      });
      assert.equal(r.status, 200);
      await r.body?.cancel();
      return JSON.parse(upstream.received.at(-1)!.body).model;
    };
    assert.equal(
      await sent("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
      "claude-sonnet-4-5-20250929",
    );
    assert.equal(await sent("anthropic.claude-opus-4-6-v1"), "claude-opus-4-6");
    assert.equal(await sent("claude-haiku-4-5@20251001"), "claude-haiku-4-5-20251001");
    assert.equal(
      await sent(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0",
      ),
      "claude-haiku-4-5-20251001",
    );
    // Plain names are untouched (and so forwarded as the very bytes received).
    assert.equal(await sent("claude-sonnet-5"), "claude-sonnet-5");
  } finally {
    await detour?.close();
    await upstream.close();
  }
});

Deno.test("bedrock: the admin test button answers through Bedrock", async () => {
  const t = await setup();
  try {
    const res = await fetch(`${t.detour.url}/admin/api/providers/bedrock/test`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${t.detour.adminToken}`,
        "content-type": "application/json",
      },
      body: "{}",
    });
    const result = await res.json();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(
      t.bedrock.received[0].path,
      "/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke",
    );
    assert.deepEqual(t.bedrock.rejected, []);
  } finally {
    await t.close();
  }
});

Deno.test("bedrock: usage is counted from the translated event stream and from JSON answers", async () => {
  const t = await setup();
  try {
    const final = await t.client.messages.stream(params("claude-haiku-4-5-20251001"))
      .finalMessage();
    assert.equal(final.usage.output_tokens, 5);
    await t.client.messages.create(params("claude-haiku-4-5-20251001"));
    // 10 input + 5 output per answer; the stream's output comes from its final message_delta.
    assert.deepEqual(await usageToday(t.detour, 2), {
      requests: 2,
      input: 20,
      output: 10,
      cache_read: 0,
      cache_write: 0,
    });
  } finally {
    await t.close();
  }
});
