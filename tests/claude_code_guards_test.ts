/**
 * The issue 12 guards (browser origin, JSON-only bodies, local Host, relay headers, the body
 * gate and budget) must not stop the legitimate client Detour exists for. These requests are
 * shaped as /work/shared/CLIENTS.md records Claude Code's: `?beta=true`,
 * `anthropic-dangerous-direct-browser-access: true` (sent by the SDK inside Claude Code, with no
 * `Origin`), `x-api-key` or a Bearer OAuth token, a burst of 14 count_tokens calls,
 * `GET /v1/models?limit=1000` with both auth headers, and the `HEAD /api/hello` warm-up probe.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicMessage,
  anthropicRefusal,
  anthropicSse,
  closeAll,
  rawHttp,
  serve,
  sseResponse,
  startDetour,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-claude-code-guards-client-0123456789";
const OAUTH = "sk-ant-oat01-claude-code-guards-oauth-token-0123456789";
const STORED = "sk-claude-code-guards-stored-0123456789";
const ACCESS = "dtr_claude_code_guards_access_0123456789";
const MODEL = "claude-sonnet-5";

/** The headers Claude Code 2.1.x sends on every API call (CLIENTS.md), without credentials. */
const CLAUDE_CODE = {
  "content-type": "application/json",
  "anthropic-version": "2023-06-01",
  "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
  "anthropic-dangerous-direct-browser-access": "true",
  "x-app": "cli",
  "user-agent": "claude-cli/2.1.197 (external, cli)",
  "x-claude-code-session-id": "0b6a4a44-6f5e-4c39-9d0e-4b0f0d1b2c3d",
  "x-stainless-lang": "js",
  "x-stainless-retry-count": "0",
  "accept-encoding": "gzip, deflate, br, zstd",
};

const turn = (stream: boolean) =>
  JSON.stringify({
    model: MODEL,
    max_tokens: 32000,
    stream,
    system: [{ type: "text", text: "billing" }, {
      type: "text",
      text: "You are Claude Code",
      cache_control: { type: "ephemeral" },
    }],
    messages: [{ role: "user", content: "hi" }],
    metadata: { user_id: JSON.stringify({ session_id: "s" }) },
    thinking: { type: "adaptive" },
  });

/**
 * A mock of the Anthropic API as documented (https://docs.anthropic.com/en/api/messages,
 * https://docs.anthropic.com/en/api/messages-count-tokens,
 * https://docs.anthropic.com/en/api/models-list): `x-api-key` or a Bearer token required, JSON
 * bodies, SSE when `stream` is true. Records who called it with which credential.
 */
function anthropicMock() {
  const calls: { method: string; path: string; search: string; key: string | null }[] = [];
  const server = serve(async (req) => {
    const url = new URL(req.url);
    const key = req.headers.get("x-api-key") ?? req.headers.get("authorization");
    calls.push({ method: req.method, path: url.pathname, search: url.search, key });
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({
        data: [{
          type: "model",
          id: MODEL,
          display_name: "Claude Sonnet 5",
          created_at: "2026-01-01T00:00:00Z",
        }],
        has_more: false,
        first_id: MODEL,
        last_id: MODEL,
      });
    }
    const body = await req.json();
    if (url.pathname === "/v1/messages/count_tokens") return Response.json({ input_tokens: 42 });
    return body.stream
      ? sseResponse(anthropicSse("streamed", { model: body.model }))
      : Response.json(anthropicMessage("whole", body.model));
  });
  return { ...server, calls };
}

async function setup(env: Record<string, string> = {}) {
  const primary = anthropicMock();
  const stored = anthropicMock();
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      { id: "stored", type: "anthropic", baseUrl: stored.url, keys: [STORED] },
    ],
  }, env);
  return { detour, primary, stored, close: () => closeAll(detour, primary, stored) };
}

Deno.test("Claude Code on loopback (no access key): turns, OAuth, count_tokens bursts, model list and the warm-up probe all pass the guards", async () => {
  const t = await setup();
  const url = t.detour.url;
  try {
    // A streamed turn with the client's API key, as Claude Code sends it.
    const streamed = await fetch(`${url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { ...CLAUDE_CODE, "x-api-key": CLIENT_KEY },
      body: turn(true),
    });
    assert.equal(streamed.status, 200, await streamed.clone().text());
    assert.match(streamed.headers.get("content-type") ?? "", /text\/event-stream/);
    assert.match(await streamed.text(), /event: message_stop/);
    assert.equal(t.primary.calls.at(-1)?.key, CLIENT_KEY);
    assert.equal(t.primary.calls.at(-1)?.search, "?beta=true");

    // The same with a subscription's OAuth token as a Bearer credential, non-streaming.
    const oauth = await fetch(`${url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { ...CLAUDE_CODE, authorization: `Bearer ${OAUTH}` },
      body: turn(false),
    });
    assert.equal(oauth.status, 200);
    assert.equal((await oauth.json()).content[0].text, "whole");
    assert.equal(t.primary.calls.at(-1)?.key, `Bearer ${OAUTH}`);

    // `/context`: about 14 concurrent count_tokens calls.
    const counts = await Promise.all(
      Array.from({ length: 14 }, () =>
        fetch(`${url}/v1/messages/count_tokens?beta=true`, {
          method: "POST",
          headers: { ...CLAUDE_CODE, "x-api-key": CLIENT_KEY },
          body: turn(false),
        }).then(async (r) => ({ status: r.status, body: await r.json() }))),
    );
    for (const c of counts) assert.deepEqual(c, { status: 200, body: { input_tokens: 42 } });

    // Gateway model discovery: both auth headers, no redirect allowed.
    const models = await fetch(`${url}/v1/models?limit=1000`, {
      headers: {
        ...CLAUDE_CODE,
        "x-api-key": CLIENT_KEY,
        authorization: `Bearer ${CLIENT_KEY}`,
      },
      redirect: "manual",
    });
    assert.equal(models.status, 200);
    const list = await models.json();
    assert.ok(list.data.some((m: { id: string }) => m.id === MODEL));

    // The warm-up probe is no /v1 call: whatever Detour answers, it is quick and not an error of
    // Detour's own (Claude Code ignores the answer).
    const probe = await fetch(`${url}/api/hello`, { method: "HEAD", headers: CLAUDE_CODE });
    assert.ok(probe.status < 500, `HEAD /api/hello answered ${probe.status}`);
    assert.equal(probe.status, 200, "the warm-up probe gets an empty 200");
    await probe.body?.cancel();

    // Only the model list, which merges every provider the caller may use, reached the stored key.
    assert.deepEqual(t.stored.calls.map((c) => `${c.method} ${c.path}`), ["GET /v1/models"]);
    assert.equal(t.detour.deps.bodies?.inFlight, 0, "the body budget is all given back");
  } finally {
    await t.close();
  }
});

Deno.test("Claude Code with only a stored-key provider left: loopback trust and an access key through a tunnel both spend it", async () => {
  // No credential of its own that the primary would take: Claude Code with the subscription
  // logged out, say, and `ANTHROPIC_API_KEY` unset. The primary refuses, the stored key serves.
  const local = await setup();
  try {
    const res = await fetch(`${local.detour.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: CLAUDE_CODE,
      body: turn(true),
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /event: message_stop/);
    assert.equal(local.stored.calls.at(-1)?.key, STORED);
  } finally {
    await local.close();
  }
  // Through a tunnel: a public Host and relay headers, the access key as `ANTHROPIC_API_KEY`.
  const tunnel = await setup({ ACCESS_KEYS: ACCESS });
  try {
    const head = Object.entries({
      ...CLAUDE_CODE,
      host: "detour.example.com",
      "x-forwarded-for": "203.0.113.7",
      "cf-connecting-ip": "203.0.113.7",
      "x-api-key": ACCESS,
    }).map(([k, v]) => `${k}: ${v}`).join("\r\n");
    const res = await rawHttp(
      tunnel.detour.port,
      `POST /v1/messages?beta=true HTTP/1.1\r\n${head}\r\nconnection: close`,
      turn(false),
    );
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers.get("x-detour-provider"), "stored");
    assert.equal(tunnel.stored.calls.at(-1)?.key, STORED);
  } finally {
    await tunnel.close();
  }
});

Deno.test("the body budget is given back after refused, broken and abandoned bodies", async () => {
  const t = await setup();
  const url = t.detour.url;
  try {
    const headers = { ...CLAUDE_CODE, "x-api-key": CLIENT_KEY };
    // Not JSON inside: 400 after the body was read.
    const bad = await fetch(`${url}/v1/messages?beta=true`, {
      method: "POST",
      headers,
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    // Declared over the limit: 413 before any byte.
    const big = await Deno.connect({ hostname: "127.0.0.1", port: t.detour.port });
    try {
      await big.write(new TextEncoder().encode(
        `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `x-api-key: ${CLIENT_KEY}\r\ncontent-length: ${64 * 1024 * 1024}\r\n\r\n`,
      ));
      const buf = new Uint8Array(4096);
      const n = await big.read(buf);
      assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 413 /);
    } finally {
      big.close();
    }
    // A client that declares 1 MiB, sends a little and leaves.
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.detour.port });
      await conn.write(new TextEncoder().encode(
        `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `x-api-key: ${CLIENT_KEY}\r\ncontent-length: 1048576\r\n\r\n{"model":`,
      ));
      await new Promise((r) => setTimeout(r, 50));
      conn.close();
    }
    // Each abandoned read ends with an error in the route; wait (bounded) for all three.
    for (let i = 0; i < 100 && (t.detour.deps.bodies?.inFlight ?? 0) > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(t.detour.deps.bodies?.inFlight, 0, "a leaked reservation locks clients out");
    const ok = await fetch(`${url}/v1/messages?beta=true`, {
      method: "POST",
      headers,
      body: turn(false),
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("the official Anthropic SDK's count_tokens, model list and beta calls pass the guards", async () => {
  const t = await setup();
  try {
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const params = { model: MODEL, messages: [{ role: "user" as const, content: "hi" }] };
    assert.equal((await client.messages.countTokens(params)).input_tokens, 42);
    assert.equal((await client.beta.messages.countTokens(params)).input_tokens, 42);
    const beta = await client.beta.messages.create({ ...params, max_tokens: 8 });
    assert.equal((beta.content[0] as { text: string }).text, "whole");
    const ids: string[] = [];
    for await (const m of client.models.list({ limit: 1000 })) ids.push(m.id);
    assert.ok(ids.includes(MODEL));
    // SDK 1.x sends its key as a Bearer credential (CLIENTS.md): the passthrough gets it as sent.
    assert.equal(t.primary.calls.length, 4);
    assert.ok(t.primary.calls.every((c) => c.key?.endsWith(CLIENT_KEY)));
    assert.equal(t.stored.calls.filter((c) => c.method === "POST").length, 0);
  } finally {
    await t.close();
  }
});
