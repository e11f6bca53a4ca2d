/**
 * Vertex AI through Detour, against a mock Google token endpoint on 127.0.0.1 that verifies the
 * service account's RS256 JWT with the public half of a key pair made here, and a mock Vertex
 * that only takes tokens that endpoint issued. The official @anthropic-ai/vertex-sdk, pointed at
 * the same mock, is the reference for the request shape.
 */
import assert from "node:assert/strict";
import { settle, usageToday } from "./helpers/usage.ts";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import type { ProviderInput } from "../lib/config/schema.ts";
import { anthropicMessage, mockUpstream, startDetour } from "./helpers/harness.ts";
import {
  googleError,
  makeServiceAccount,
  mockGoogleToken,
  mockVertex,
  type VertexScript,
} from "./helpers/cloud_mocks.ts";

const BETAS = "context-1m-2025-08-07,interleaved-thinking-2025-05-14";

function params(model: string) {
  return {
    model,
    max_tokens: 256,
    system: "You are Claude Code.",
    messages: [{ role: "user" as const, content: "Say hello" }],
    metadata: { user_id: "u-1" },
  };
}

async function setup(
  opts: {
    provider?: Partial<ProviderInput>;
    script?: VertexScript;
    backup?: boolean;
    tokenDelayMs?: number;
    projectId?: string;
  } = {},
) {
  // The key pair is made after the endpoint, whose URL the key's token_uri names.
  const key: { publicKey?: CryptoKey; email: string } = { email: "" };
  const google = mockGoogleToken({
    publicKey: () => key.publicKey!,
    clientEmail: () => key.email,
    delayMs: opts.tokenDelayMs,
  });
  const sa = await makeServiceAccount(`${google.url}/token`, opts.projectId);
  key.publicKey = sa.publicKey;
  key.email = sa.json.client_email;
  const vertex = mockVertex({ tokens: () => google.issued, script: opts.script });
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("from backup", JSON.parse(body).model))
  );
  const providers: ProviderInput[] = [{
    id: "vertex",
    type: "vertex",
    baseUrl: vertex.url,
    region: "us-east5",
    serviceAccountJson: sa.text,
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
    google,
    vertex,
    backup,
    detour,
    client,
    sa,
    close: async () => {
      await detour.close();
      await vertex.close();
      await google.close();
      await backup.close();
    },
  };
}

/** The official SDK at the same mock, with a token the mock endpoint issued to Detour. */
function sdkFor(url: string, region: string, projectId: string, token: () => string) {
  return new AnthropicVertex({
    region,
    projectId,
    baseURL: `${url}/v1`,
    maxRetries: 0,
    authClient: {
      projectId,
      getRequestHeaders: () => Promise.resolve(new Headers({ authorization: `Bearer ${token()}` })),
    } as never,
    // The same input: Vertex's documented API version (the SDK copies this header to the body).
    defaultHeaders: { "anthropic-version": "vertex-2023-10-16" },
  });
}

function assertSameRequest(
  sdk: { path: string; text: string; headers: Headers },
  detour: { path: string; text: string; headers: Headers },
) {
  assert.equal(detour.path, sdk.path);
  assert.equal(detour.text, sdk.text, "body bytes differ from the official SDK's");
  for (const h of ["content-type", "accept", "anthropic-beta", "authorization"]) {
    assert.equal(detour.headers.get(h), sdk.headers.get(h), `header ${h}`);
  }
}

Deno.test("vertex: streamed request matches @anthropic-ai/vertex-sdk's; the JWT is verified; SSE passes", async () => {
  const t = await setup();
  try {
    const stream = t.client.messages.stream(params("claude-haiku-4-5"), {
      headers: { "anthropic-beta": BETAS },
    });
    const final = await stream.finalMessage();
    assert.equal(
      final.content[0].type === "text" && final.content[0].text,
      "hello from vertex stream",
    );
    assert.equal(t.google.exchanges, 1);
    assert.deepEqual(t.google.rejected, []);
    const detourReq = t.vertex.received[0];
    const token = detourReq.headers.get("authorization")!.slice(7);

    const sdk = sdkFor(t.vertex.url, "us-east5", "detour-test-project", () => token);
    const ref = await sdk.messages.create({
      ...params("claude-haiku-4-5@20251001"),
      stream: true,
    }, { headers: { "anthropic-beta": BETAS } });
    for await (const _ of ref) { /* drain */ }
    const sdkReq = t.vertex.received[1];
    assert.equal(
      sdkReq.path,
      "/v1/projects/detour-test-project/locations/us-east5/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict",
    );
    assertSameRequest(sdkReq, detourReq);
    const body = JSON.parse(detourReq.text);
    assert.equal(body.anthropic_version, "vertex-2023-10-16");
    assert.equal(body.stream, true);
    assert.ok(!("model" in body));
  } finally {
    await t.close();
  }
});

Deno.test("vertex: non-streaming and count_tokens requests match the SDK's (global region, explicit project)", async () => {
  const t = await setup({ provider: { region: "global", projectId: "other-project-42" } });
  try {
    const msg = await t.client.messages.create(params("claude-opus-4-8"));
    assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from vertex");
    const counted = await t.client.messages.countTokens({
      model: "claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "How many?" }],
    });
    const [detourMsg, detourCount] = t.vertex.received;
    const token = detourMsg.headers.get("authorization")!.slice(7);
    assert.equal(
      counted.input_tokens,
      JSON.stringify([{ role: "user", content: "How many?" }]).length,
    );

    const sdk = sdkFor(t.vertex.url, "global", "other-project-42", () => token);
    await sdk.messages.create(params("claude-opus-4-8"));
    await sdk.messages.countTokens({
      model: "claude-sonnet-4-5@20250929",
      messages: [{ role: "user", content: "How many?" }],
    });
    const [, , sdkMsg, sdkCount] = t.vertex.received;
    assert.equal(
      detourMsg.path,
      "/v1/projects/other-project-42/locations/global/publishers/anthropic/models/claude-opus-4-8:rawPredict",
    );
    assertSameRequest(sdkMsg, detourMsg);
    assert.equal(
      detourCount.path,
      "/v1/projects/other-project-42/locations/global/publishers/anthropic/models/count-tokens:rawPredict",
    );
    assertSameRequest(sdkCount, detourCount);
    assert.equal(JSON.parse(detourCount.text).model, "claude-sonnet-4-5@20250929");
  } finally {
    await t.close();
  }
});

Deno.test("vertex: concurrent requests share one token exchange; the token is reused until near expiry", async () => {
  const t = await setup({ tokenDelayMs: 100 });
  try {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.client.messages.create(params("claude-haiku-4-5"))),
    );
    assert.equal(results.length, 12);
    assert.equal(t.google.exchanges, 1);
    await t.client.messages.create(params("claude-haiku-4-5"));
    assert.equal(t.google.exchanges, 1);
    const tokens = new Set(t.vertex.received.map((r) => r.headers.get("authorization")));
    assert.equal(tokens.size, 1);
  } finally {
    await t.close();
  }
});

Deno.test("vertex: a 401 drops the cached token and the attempt is retried once with a new one", async () => {
  let refuseNext = false;
  const t = await setup({
    script: () => {
      if (!refuseNext) return undefined;
      refuseNext = false;
      return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    },
  });
  try {
    await t.client.messages.create(params("claude-haiku-4-5"));
    assert.equal(t.google.exchanges, 1);
    refuseNext = true;
    const msg = await t.client.messages.create(params("claude-haiku-4-5"));
    assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from vertex");
    assert.equal(t.google.exchanges, 2);
    const [, refused, retried] = t.vertex.received;
    assert.notEqual(refused.headers.get("authorization"), retried.headers.get("authorization"));
  } finally {
    await t.close();
  }
});

for (
  const [code, rpc, wire] of [
    [429, "RESOURCE_EXHAUSTED", 429],
    [503, "UNAVAILABLE", 503],
    [500, "INTERNAL", 500],
    [403, "PERMISSION_DENIED", 403],
  ] as const
) {
  Deno.test(`vertex: ${rpc} is ${wire} and falls back`, async () => {
    const t = await setup({ backup: true, script: () => googleError(code, rpc, `${rpc} here`) });
    try {
      const res = await t.client.messages.create(params("claude-haiku-4-5")).withResponse();
      assert.equal(res.response.headers.get("x-detour-provider"), "backup");
      assert.match(res.response.headers.get("x-detour-attempts")!, new RegExp(`^vertex ${wire} `));
    } finally {
      await t.close();
    }
  });
}

Deno.test("vertex: errors in Google's shape become Anthropic errors; Anthropic-shaped ones pass", async () => {
  let answer: Response | undefined;
  const t = await setup({ script: () => answer });
  try {
    answer = googleError(400, "INVALID_ARGUMENT", "max_tokens: must be positive");
    const bad = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params("claude-haiku-4-5")),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "Vertex AI INVALID_ARGUMENT: max_tokens: must be positive",
      },
    });
    answer = Response.json({
      type: "error",
      error: { type: "invalid_request_error", message: "prompt is too long" },
    }, { status: 400 });
    const own = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params("claude-haiku-4-5")),
    });
    assert.equal(own.status, 400);
    assert.equal((await own.json()).error.message, "prompt is too long");
  } finally {
    await t.close();
  }
});

Deno.test("vertex: a key the token endpoint refuses fails over with a clear attempt error", async () => {
  const t = await setup({ backup: true });
  try {
    // A different key pair: the mock's signature check fails.
    const stranger = await makeServiceAccount(`${t.google.url}/token`);
    const config = structuredClone(t.detour.deps.live.config);
    config.providers[0].serviceAccountJson = stranger.text;
    const saved = await t.detour.deps.live.replace(config, t.detour.deps.live.version);
    assert.ok(saved.ok);
    const res = await t.client.messages.create(params("claude-haiku-4-5")).withResponse();
    assert.equal(res.response.headers.get("x-detour-provider"), "backup");
    assert.match(res.response.headers.get("x-detour-attempts")!, /^vertex auth /);
    assert.ok(t.google.rejected.some((r) => r.includes("Signature")));
    await settle(t.detour, 1);
    const log = t.detour.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "request");
    assert.match(
      log?.attempts?.[0]?.error ?? "",
      /Google token endpoint refused the service account/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("vertex: count_tokens falls back to a local estimate where Vertex cannot count", async () => {
  const t = await setup({
    script: (_rec, op) =>
      op === "count" ? googleError(404, "NOT_FOUND", "count-tokens is not available") : undefined,
  });
  try {
    const res = await fetch(`${t.detour.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-estimate"), "true");
    assert.ok((await res.json()).input_tokens > 0);
  } finally {
    await t.close();
  }
});

Deno.test("vertex: the admin test button answers through Vertex", async () => {
  const t = await setup();
  try {
    const res = await fetch(`${t.detour.url}/admin/api/providers/vertex/test`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${t.detour.adminToken}`,
        "content-type": "application/json",
      },
      body: "{}",
    });
    const result = await res.json();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.match(t.vertex.received[0].path, /models\/claude-haiku-4-5@20251001:rawPredict$/);
  } finally {
    await t.close();
  }
});

Deno.test("vertex: usage is counted from its SSE and JSON answers", async () => {
  const t = await setup();
  try {
    const final = await t.client.messages.stream(params("claude-sonnet-4-5@20250929"))
      .finalMessage();
    assert.equal(final.usage.output_tokens, 5);
    await t.client.messages.create(params("claude-sonnet-4-5@20250929"));
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
