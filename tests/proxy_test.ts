/**
 * Integration tests of the non-streaming proxy: real Detour and mock upstreams on 127.0.0.1,
 * driven by the official SDK and by raw fetch where headers and bytes matter.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput, ProviderInput } from "../lib/config/schema.ts";
import {
  ADMIN_TOKEN,
  allHeaderText,
  anthropicErrorResponse,
  anthropicMessage,
  closeAll,
  hangUntilAborted,
  mockUpstream,
  rawHttp,
  resetServer,
  startDetour,
  startPrimaryBackup,
  truncatingServer,
  waitFor,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-client-own-key-0123456789abcdef";
const STORED_KEY = "sk-backup-stored-key-0123456789abcdef";
const MODEL = "claude-sonnet-5";
const ATTEMPT = String.raw`\d+ms`;

type Mock = ReturnType<typeof mockUpstream>;
type Answer = Parameters<typeof mockUpstream>[0];

const ok = (text: string): Answer => (_req, body) =>
  Response.json(anthropicMessage(text, JSON.parse(body).model), {
    headers: { "request-id": `req_${text.replaceAll(" ", "_")}` },
  });

/** A passthrough primary and a stored-key backup, both mocks, behind a Detour. */
function setup(
  primaryAnswer: Answer,
  backupAnswer: Answer = ok("from backup"),
  opts: {
    primary?: Partial<ProviderInput>;
    backup?: Partial<ProviderInput>;
    config?: Partial<ConfigInput>;
    env?: Record<string, string>;
  } = {},
) {
  return startPrimaryBackup(primaryAnswer, backupAnswer, {
    ...opts,
    storedKey: STORED_KEY,
    clientKey: CLIENT_KEY,
  });
}

/** A raw POST to Detour (x-api-key credential unless `headers` says otherwise). */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = "/v1/messages",
  signal?: AbortSignal,
) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": CLIENT_KEY,
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}

const simple = (model = MODEL) => ({
  model,
  max_tokens: 16,
  messages: [{ role: "user" as const, content: "hello" }],
});

function assertNoClientKey(mock: Mock, key = CLIENT_KEY) {
  const text = allHeaderText(mock.received);
  assert.ok(!text.includes(key), `the client's key leaked to a fallback upstream:\n${text}`);
  for (const r of mock.received) assert.ok(!r.body.includes(key), "client key in a body");
}

async function health(url: string) {
  // The details (what is cooling) are for the operator: they need the admin token.
  const res = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(res.status, 200);
  return await res.json() as {
    coolingDown: { id: string; until: string | null; keysCooling: number }[];
  };
}

async function sha16(value: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")
    .slice(0, 16);
}

function assertAnthropicError(json: unknown, type?: string) {
  const e = json as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  assert.equal(e.type, "error", `not an Anthropic error: ${JSON.stringify(json)}`);
  assert.equal(typeof e.error?.type, "string");
  assert.equal(typeof e.error?.message, "string");
  if (type) assert.equal(e.error?.type, type);
}

Deno.test("healthy primary: body bytes, query, headers pass through; answer carries Detour headers", async () => {
  const t = await setup((_req, body) =>
    Response.json(anthropicMessage("hi from primary", JSON.parse(body).model), {
      headers: { "request-id": "req_upstream_primary_1" },
    })
  );
  try {
    // Odd spacing, key order, unicode and an unknown field: forwarded as received, no rewrite.
    const body =
      `{ "model":"${MODEL}","max_tokens" : 16,\n "messages":[{"role":"user","content":"héllo ✓"}],` +
      `"context_management":{"edits":[{"type":"clear_thinking_20251015"}]},"x_unknown":[1,2]}`;
    const betas =
      "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27";
    const res = await post(t.detour.url, body, {
      "anthropic-beta": betas,
      "x-app": "cli",
      "user-agent": "claude-cli/2.1.197 (external, cli)",
      "x-claude-code-session-id": "3f0c2a4e-1111-2222-3333-444455556666",
    }, "/v1/messages?beta=true");
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.content[0].text, "hi from primary");
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.equal(res.headers.get("request-id"), "req_upstream_primary_1");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 200 ${ATTEMPT}$`),
    );

    assert.equal(t.primary.received.length, 1);
    assert.equal(t.backup.received.length, 0);
    const got = t.primary.received[0];
    assert.equal(got.method, "POST");
    assert.equal(got.path, "/v1/messages");
    assert.equal(got.search, "?beta=true");
    assert.equal(got.body, body, "body bytes changed on the way");
    assert.equal(got.headers.get("anthropic-version"), "2023-06-01");
    assert.equal(got.headers.get("anthropic-beta"), betas);
    assert.equal(got.headers.get("x-app"), "cli");
    assert.equal(
      got.headers.get("x-claude-code-session-id"),
      "3f0c2a4e-1111-2222-3333-444455556666",
    );
    assert.equal(got.headers.get("x-api-key"), CLIENT_KEY);
    assert.equal(got.headers.get("authorization"), null);
  } finally {
    await t.close();
  }
});

Deno.test("healthy primary: hop-by-hop headers and Detour's own headers are not forwarded", async () => {
  const t = await setup(ok("hi"));
  try {
    const body = JSON.stringify(simple());
    const res = await rawHttp(
      t.detour.port,
      [
        "POST /v1/messages?beta=true HTTP/1.1",
        `host: 127.0.0.1:${t.detour.port}`,
        "connection: close, x-hop-custom",
        "x-hop-custom: only-for-this-hop",
        "keep-alive: timeout=5",
        "proxy-authorization: Basic cHJveHk6c2VjcmV0",
        "te: trailers",
        "trailer: x-checksum",
        "content-type: application/json",
        "anthropic-version: 2023-06-01",
        `x-api-key: ${CLIENT_KEY}`,
        "x-app: cli",
        "cookie: session=abc",
        "x-detour-key: dtr_not_a_configured_key_000",
      ].join("\r\n"),
      body,
    );
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
    assert.equal(t.primary.received.length, 1);
    const got = t.primary.received[0].headers;
    assert.equal(got.get("x-app"), "cli");
    assert.equal(t.primary.received[0].body, body);
    for (
      const name of ["keep-alive", "proxy-authorization", "te", "trailer", "cookie", "x-detour-key"]
    ) {
      assert.equal(got.get(name), null, `hop-by-hop or private header forwarded: ${name}`);
    }
    assert.notEqual(got.get("connection")?.includes("x-hop-custom"), true);
    // RFC 9110 §7.6.1: a header named in Connection is hop-by-hop too.
    assert.equal(got.get("x-hop-custom"), null, "a header listed in Connection was forwarded");
  } finally {
    await t.close();
  }
});

for (
  const [status, type, headers] of [
    [429, "rate_limit_error", { "retry-after": "30" }],
    [529, "overloaded_error", {}],
    [500, "api_error", {}],
    [401, "authentication_error", {}],
  ] as const
) {
  Deno.test(`fallback on ${status}: the backup answers with its own stored key; primary then cools down`, async () => {
    const t = await setup(() =>
      anthropicErrorResponse(status, type, `primary says ${status}`, headers)
    );
    try {
      const { data, response } = await t.client.messages.create(simple()).withResponse();
      assert.equal(data.content[0].type, "text");
      assert.equal((data.content[0] as Anthropic.TextBlock).text, "from backup");
      assert.equal(response.headers.get("x-detour-provider"), "backup");
      assert.match(
        response.headers.get("x-detour-attempts") ?? "",
        new RegExp(`^primary ${status} ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
      );
      assert.match(response.headers.get("x-request-id") ?? "", /^req_/);

      // Credential isolation: the primary got the client's key, the backup only its stored one.
      assert.equal(t.primary.received.length, 1);
      assert.equal(t.primary.received[0].headers.get("authorization"), `Bearer ${CLIENT_KEY}`);
      assert.equal(t.backup.received.length, 1);
      assert.equal(t.backup.received[0].headers.get("x-api-key"), STORED_KEY);
      assert.equal(t.backup.received[0].headers.get("authorization"), null);
      assertNoClientKey(t.backup);
      // The same body went to the backup (no model map: the bytes are unchanged).
      assert.equal(t.backup.received[0].body, t.primary.received[0].body);

      // The primary is cooling: the next request goes straight to the backup.
      const again = await t.client.messages.create(simple()).withResponse();
      assert.equal(again.response.headers.get("x-detour-provider"), "backup");
      assert.match(
        again.response.headers.get("x-detour-attempts") ?? "",
        new RegExp(`^backup 200 ${ATTEMPT}$`),
      );
      assert.equal(t.primary.received.length, 1, "a cooling primary was tried again");
      assert.equal(t.backup.received.length, 2);

      assert.ok(t.detour.deps.cooldowns.all().size >= 1, "nothing is cooling down");
      const h = await health(t.detour.url);
      assert.deepEqual(
        h.coolingDown.map((c) => c.id),
        ["primary"],
        `/health does not list the cooling primary: ${JSON.stringify(h)}`,
      );
    } finally {
      await t.close();
    }
  });
}

Deno.test("a 429's retry-after longer than cooldownSeconds sets the cooldown length", async () => {
  const t = await setup(
    () => anthropicErrorResponse(429, "rate_limit_error", "slow down", { "retry-after": "120" }),
    ok("from backup"),
    { config: { cooldownSeconds: 5 } },
  );
  try {
    const res = await post(t.detour.url, simple());
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    await res.body?.cancel();
    const cooling = [...t.detour.deps.cooldowns.all().values()];
    assert.equal(cooling.length, 1);
    const left = cooling[0].until - Date.now();
    assert.ok(left > 100_000 && left <= 120_000, `cooldown of ${left} ms, wanted ~120 s`);
  } finally {
    await t.close();
  }
});

Deno.test("a 400 from the primary is the answer: no fallback", async () => {
  const t = await setup(() =>
    anthropicErrorResponse(400, "invalid_request_error", "messages: field required")
  );
  try {
    const res = await post(t.detour.url, simple());
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.equal(res.headers.get("request-id"), "req_upstream");
    const body = await res.json();
    assert.deepEqual(body, {
      type: "error",
      error: { type: "invalid_request_error", message: "messages: field required" },
    });
    assert.equal(t.backup.received.length, 0);
    assert.equal(t.detour.deps.cooldowns.all().size, 0, "a client error cooled something down");

    // The SDK sees the same error.
    await assert.rejects(
      t.client.messages.create(simple()),
      (e) => e instanceof Anthropic.BadRequestError && e.status === 400,
    );
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("hang: a primary that never answers is abandoned after timeoutMs, aborted, and the backup answers", async () => {
  let primaryAborted: boolean | null = null;
  const t = await setup(
    async (req) => {
      primaryAborted = await hangUntilAborted(req.signal, 5000);
      return Response.json(anthropicMessage("late primary"));
    },
    ok("from backup"),
    // Non-streaming answers get `nonStreamingTimeoutMs` (they arrive whole); the provider's
    // own override bounds it while the top-level default stays at 10 minutes.
    { primary: { timeoutMs: 300, nonStreamingTimeoutMs: 300 } },
  );
  try {
    const started = performance.now();
    const { data, response } = await t.client.messages.create(simple()).withResponse();
    const ms = performance.now() - started;
    assert.equal((data.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.equal(response.headers.get("x-detour-provider"), "backup");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary timeout ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    assert.ok(ms >= 250 && ms < 2500, `answered after ${Math.round(ms)} ms`);
    await waitFor(() => primaryAborted !== null, 2000, "the primary's request to end");
    assert.equal(primaryAborted, true, "the timed-out upstream request was not aborted");
  } finally {
    await t.close();
  }
});

Deno.test("hang on count_tokens: the provider's timeoutMs alone bounds it", async () => {
  let primaryAborted: boolean | null = null;
  const t = await setup(
    async (req) => {
      primaryAborted = await hangUntilAborted(req.signal, 5000);
      return Response.json({ input_tokens: 1 });
    },
    () => Response.json({ input_tokens: 42 }),
    { primary: { timeoutMs: 300 } },
  );
  try {
    const started = performance.now();
    const res = await post(t.detour.url, simple(), {}, "/v1/messages/count_tokens");
    const ms = performance.now() - started;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { input_tokens: 42 });
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    assert.ok(ms < 2500, `answered after ${Math.round(ms)} ms`);
    await waitFor(() => primaryAborted !== null, 2000, "the primary's request to end");
    assert.equal(primaryAborted, true);
  } finally {
    await t.close();
  }
});

Deno.test("reset: a primary that drops the connection falls back to the backup", async () => {
  const reset = resetServer();
  const backup = mockUpstream(ok("from backup"));
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: reset.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
    ],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data, response } = await client.messages.create(simple()).withResponse();
    assert.equal((data.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.equal(response.headers.get("x-detour-provider"), "backup");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary network ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    assert.ok(reset.accepted() >= 1);
    assertNoClientKey(backup);
    // A dead provider cools down as a whole.
    assert.ok(detour.deps.cooldowns.all().has("p:primary"));
  } finally {
    await closeAll(detour, backup, reset);
  }
});

Deno.test("a JSON answer cut off mid-body falls back instead of reaching the client short", async () => {
  const cut = truncatingServer('{"id":"msg_cut","type":"message","content":[{"type":"te', 400);
  const backup = mockUpstream(ok("from backup"));
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: cut.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
    ],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data, response } = await client.messages.create(simple()).withResponse();
    assert.equal((data.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary network ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    assert.equal(cut.accepted(), 1);
  } finally {
    await closeAll(detour, backup, cut);
  }
});

Deno.test("model map: the backup receives the mapped model; a provider without a match is skipped", async () => {
  const primary = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "Overloaded"));
  const opusOnly = mockUpstream(ok("from opus-only"));
  const backup = mockUpstream(ok("from backup"));
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      {
        id: "opus-only",
        type: "anthropic",
        baseUrl: opusOnly.url,
        keys: ["sk-opus-only-key-0123456789"],
        modelMap: { "claude-opus-*": "big-model" },
      },
      {
        id: "backup",
        type: "anthropic",
        baseUrl: backup.url,
        keys: [STORED_KEY],
        modelMap: { "claude-*haiku*": "glm-4.5-air", "*": "glm-4.6" },
      },
    ],
  });
  try {
    const request = {
      model: "claude-haiku-4-5-20251001",
      max_tokens: 32,
      system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: "hi" }],
      metadata: { user_id: '{"device_id":"d1"}' },
    };
    const res = await post(detour.url, request);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 529 ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    assert.equal((await res.json()).model, "glm-4.5-air");
    assert.equal(primary.received.length, 1);
    assert.equal(JSON.parse(primary.received[0].body).model, "claude-haiku-4-5-20251001");
    assert.equal(backup.received.length, 1);
    assert.deepEqual(JSON.parse(backup.received[0].body), { ...request, model: "glm-4.5-air" });
    assert.equal(opusOnly.received.length, 0, "a provider whose map does not match was tried");

    // Another model through the catch-all; the primary is cooling, so straight to the backup.
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const msg = await client.messages.create(simple("claude-sonnet-5"));
    assert.equal(msg.model, "glm-4.6");
    assert.equal(JSON.parse(backup.received[1].body).model, "glm-4.6");
    assert.equal(opusOnly.received.length, 0);

    // An opus request is taken by the opus-only provider (primary still cooling).
    const opus = await client.messages.create(simple("claude-opus-4-8"));
    assert.equal((opus.content[0] as Anthropic.TextBlock).text, "from opus-only");
    assert.equal(JSON.parse(opusOnly.received[0].body).model, "big-model");
  } finally {
    await closeAll(detour, primary, opusOnly, backup);
  }
});

Deno.test("all providers fail: the first attempt's upstream status and body, every attempt listed", async () => {
  const overloaded = JSON.stringify({
    type: "error",
    error: { type: "overloaded_error", message: "Overloaded" },
  });
  const t = await setup(
    () =>
      new Response(overloaded, {
        status: 529,
        headers: { "content-type": "application/json", "request-id": "req_primary_529" },
      }),
    () => anthropicErrorResponse(500, "api_error", "backup broke"),
  );
  try {
    const res = await post(t.detour.url, simple());
    assert.equal(res.status, 529);
    assert.equal(await res.text(), overloaded);
    assert.equal(res.headers.get("x-detour-provider"), "none");
    assert.equal(res.headers.get("request-id"), "req_primary_529");
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 529 ${ATTEMPT}, backup 500 ${ATTEMPT}$`),
    );
    assert.equal(t.primary.received.length, 1);
    assert.equal(t.backup.received.length, 1);

    // Everything cools now, yet the next request still tries the soonest to recover (issue 12:
    // only that one, so cooling chains do not multiply upstream calls).
    await assert.rejects(
      t.client.messages.create(simple()),
      (e) => e instanceof Anthropic.APIError && e.status === 529,
    );
    assert.equal(t.primary.received.length, 2, "never answer without trying");
    assert.equal(t.backup.received.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("all providers fail without an HTTP answer: synthetic 502 (resets) or 529 (timeouts)", async () => {
  const resetA = resetServer();
  const resetB = resetServer();
  const hanging = mockUpstream(async (req) => {
    await hangUntilAborted(req.signal, 5000);
    return Response.json(anthropicMessage("late"));
  });
  const resets = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: resetA.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: resetB.url, keys: [STORED_KEY] },
    ],
  });
  const mixed = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: resetA.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: hanging.url, keys: [STORED_KEY] },
    ],
    timeoutMs: 300,
    nonStreamingTimeoutMs: 300,
  });
  try {
    const res = await post(resets.url, simple());
    assert.equal(res.status, 502);
    assertAnthropicError(await res.json(), "api_error");
    assert.equal(res.headers.get("x-detour-provider"), "none");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary network ${ATTEMPT}, backup network ${ATTEMPT}$`),
    );

    const started = performance.now();
    const res2 = await post(mixed.url, simple());
    assert.ok(performance.now() - started < 2500);
    assert.equal(res2.status, 529);
    const body = await res2.json();
    assertAnthropicError(body, "overloaded_error");
    assert.match(body.error.message, /primary/);
    assert.match(body.error.message, /backup/);
    assert.match(
      res2.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary network ${ATTEMPT}, backup timeout ${ATTEMPT}$`),
    );
  } finally {
    await closeAll(resets, mixed, hanging, resetA, resetB);
  }
});

Deno.test("several keys on one provider: a 429 on key 1 falls to key 2, and key 1 cools down", async () => {
  const KEY1 = "sk-multi-key-one-0123456789";
  const KEY2 = "sk-multi-key-two-0123456789";
  const multi = mockUpstream((req, body) =>
    req.headers.get("x-api-key") === KEY1
      ? anthropicErrorResponse(429, "rate_limit_error", "key 1 is rate limited", {
        "retry-after": "20",
      })
      : Response.json(anthropicMessage("from key 2", JSON.parse(body).model))
  );
  // A provider id used by no other test: key rotation order is per provider id.
  const detour = await startDetour({
    providers: [{ id: "multikey", type: "anthropic", baseUrl: multi.url, keys: [KEY1, KEY2] }],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data, response } = await client.messages.create(simple()).withResponse();
    assert.equal((data.content[0] as Anthropic.TextBlock).text, "from key 2");
    assert.equal(response.headers.get("x-detour-provider"), "multikey");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^multikey#1 429 ${ATTEMPT}, multikey#2 200 ${ATTEMPT}$`),
    );
    assert.deepEqual(multi.received.map((r) => r.headers.get("x-api-key")), [KEY1, KEY2]);
    assertNoClientKey(multi);

    const cooling = detour.deps.cooldowns.all();
    assert.ok(cooling.has(`k:multikey:${await sha16(KEY1)}`), "key 1 is not cooling");
    assert.ok(!cooling.has(`k:multikey:${await sha16(KEY2)}`), "key 2 cools for key 1's 429");
    assert.ok(!cooling.has("p:multikey"), "the whole provider cools for one key's 429");
    const h = await health(detour.url);
    assert.equal(h.coolingDown.length, 1);
    assert.equal(h.coolingDown[0].id, "multikey");
    assert.equal(h.coolingDown[0].until, null, "the provider as a whole is not cooling");
    assert.equal(h.coolingDown[0].keysCooling, 1);

    // Key 1 is left out while it cools, whichever key the rotation starts with.
    for (let i = 0; i < 3; i++) {
      const msg = await client.messages.create(simple());
      assert.equal((msg.content[0] as Anthropic.TextBlock).text, "from key 2");
    }
    assert.equal(multi.received.filter((r) => r.headers.get("x-api-key") === KEY1).length, 1);
  } finally {
    await closeAll(detour, multi);
  }
});

Deno.test("OAuth: a passthrough Bearer sk-ant-oat token goes out as Bearer with the OAuth beta added", async () => {
  const OAT = "sk-ant-oat01-client-subscription-token-0123456789";
  const t = await setup(ok("hi"));
  try {
    const res = await post(t.detour.url, simple(), {
      "x-api-key": "",
      authorization: `Bearer ${OAT}`,
      "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
    }, "/v1/messages?beta=true");
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const got = t.primary.received[0].headers;
    assert.equal(got.get("authorization"), `Bearer ${OAT}`);
    assert.equal(got.get("x-api-key"), null);
    const betas = (got.get("anthropic-beta") ?? "").split(",").map((s) => s.trim());
    assert.deepEqual(betas, [
      "claude-code-20250219",
      "interleaved-thinking-2025-05-14",
      "oauth-2025-04-20",
    ]);

    // Already present: not added twice. No beta at all: the OAuth beta alone.
    const res2 = await post(t.detour.url, simple(), {
      "x-api-key": "",
      authorization: `Bearer ${OAT}`,
      "anthropic-beta": "oauth-2025-04-20,claude-code-20250219",
    });
    await res2.body?.cancel();
    assert.equal(
      t.primary.received[1].headers.get("anthropic-beta"),
      "oauth-2025-04-20,claude-code-20250219",
    );
    const viaSdk = new Anthropic({ baseURL: t.detour.url, authToken: OAT, maxRetries: 0 });
    await viaSdk.messages.create(simple());
    assert.equal(t.primary.received[2].headers.get("authorization"), `Bearer ${OAT}`);
    assert.match(t.primary.received[2].headers.get("anthropic-beta") ?? "", /oauth-2025-04-20/);
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("OAuth: a stored sk-ant-oat key is sent as Bearer with the OAuth beta", async () => {
  const STORED_OAT = "sk-ant-oat01-stored-setup-token-0123456789";
  const t = await setup(
    () => anthropicErrorResponse(529, "overloaded_error", "Overloaded"),
    ok("from backup"),
    { backup: { keys: [STORED_OAT] } },
  );
  try {
    const res = await post(t.detour.url, simple(), {
      "anthropic-beta": "claude-code-20250219",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    await res.body?.cancel();
    const got = t.backup.received[0].headers;
    assert.equal(got.get("authorization"), `Bearer ${STORED_OAT}`);
    assert.equal(got.get("x-api-key"), null);
    assert.equal(got.get("anthropic-beta"), "claude-code-20250219,oauth-2025-04-20");
    assertNoClientKey(t.backup);
  } finally {
    await t.close();
  }
});

Deno.test("count_tokens goes through the same chain, query string kept, fallback on 529", async () => {
  const t = await setup(
    () => anthropicErrorResponse(529, "overloaded_error", "Overloaded"),
    () => Response.json({ input_tokens: 1234 }),
  );
  try {
    const res = await post(t.detour.url, simple(), {}, "/v1/messages/count_tokens?beta=true");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { input_tokens: 1234 });
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 529 ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    for (const m of [t.primary, t.backup]) {
      assert.equal(m.received[0].path, "/v1/messages/count_tokens");
      assert.equal(m.received[0].search, "?beta=true");
    }
    assertNoClientKey(t.backup);

    const counted = await t.client.messages.countTokens(simple());
    assert.equal(counted.input_tokens, 1234);
    assert.equal(t.backup.received[1].path, "/v1/messages/count_tokens");
  } finally {
    await t.close();
  }
});

Deno.test("every provider cooling: the soonest to recover is still tried, once", async () => {
  const t = await setup(
    () => anthropicErrorResponse(429, "rate_limit_error", "slow down", { "retry-after": "300" }),
    () => anthropicErrorResponse(503, "api_error", "backup unavailable"),
    { config: { cooldownSeconds: 60 } },
  );
  try {
    const first = await post(t.detour.url, simple());
    assert.equal(first.status, 429, "the first attempt's error is the answer");
    // The client is told how long the upstream wants it to wait.
    assert.equal(first.headers.get("retry-after"), "300");
    assert.match(
      first.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 429 ${ATTEMPT}, backup 503 ${ATTEMPT}$`),
    );
    await first.body?.cancel();

    // The backup (60 s) recovers before the primary (300 s): it alone is tried now (issue 12).
    const second = await post(t.detour.url, simple());
    assert.match(
      second.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^backup 503 ${ATTEMPT}$`),
    );
    assert.equal(second.status, 503, "the first attempt's error is the answer");
    await second.body?.cancel();
    assert.equal(t.primary.received.length, 1);
    assert.equal(t.backup.received.length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("concurrent count_tokens during a fallback (as Claude Code's /context sends them)", async () => {
  const t = await setup(
    () => anthropicErrorResponse(529, "overloaded_error", "Overloaded"),
    (_req, body) => Response.json({ input_tokens: JSON.parse(body).messages[0].content.length }),
  );
  try {
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        t.client.messages.countTokens({
          model: MODEL,
          messages: [{ role: "user", content: "x".repeat(i + 1) }],
        })),
    );
    assert.deepEqual(
      results.map((r) => r.input_tokens),
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    assert.equal(t.backup.received.length, 14);
    assert.ok(t.primary.received.length >= 1 && t.primary.received.length <= 14);
    assertNoClientKey(t.backup);
  } finally {
    await t.close();
  }
});

Deno.test("a client that hangs up is not an upstream failure: nothing cools, upstream aborted", async () => {
  let primaryAborted: boolean | null = null;
  const t = await setup(
    async (req, _body, n) => {
      if (n > 1) return Response.json(anthropicMessage("primary again"));
      primaryAborted = await hangUntilAborted(req.signal, 5000);
      return Response.json(anthropicMessage("late primary"));
    },
    ok("from backup"),
    { primary: { timeoutMs: 3000 } },
  );
  try {
    const controller = new AbortController();
    const pending = post(t.detour.url, simple(), {}, "/v1/messages", controller.signal);
    await waitFor(() => t.primary.received.length === 1, 2000, "the primary to get the request");
    controller.abort();
    await assert.rejects(pending, (e) => (e as Error).name === "AbortError");
    await waitFor(() => primaryAborted !== null, 2000, "the primary's request to end");
    assert.equal(primaryAborted, true, "the upstream request outlived the client");
    // Give the engine a moment to (wrongly) record a failure, then check nothing cooled.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.detour.deps.cooldowns.all().size, 0);
    assert.deepEqual((await health(t.detour.url)).coolingDown, []);
    assert.equal(t.backup.received.length, 0, "a hung-up request was sent to the backup");

    // The primary still serves the next request.
    const res = await post(t.detour.url, simple());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.equal((await res.json()).content[0].text, "primary again");
  } finally {
    await t.close();
  }
});

Deno.test("bad input: clear Anthropic-format errors, nothing forwarded, service unharmed", async () => {
  const t = await setup(ok("hi"), ok("from backup"), { config: { bodyLimitBytes: 2048 } });
  try {
    const cases: [string, () => Promise<Response>, number, string][] = [
      ["malformed JSON", () => post(t.detour.url, '{"model": "x", '), 400, "invalid_request_error"],
      ["not an object", () => post(t.detour.url, "[1,2]"), 400, "invalid_request_error"],
      [
        "missing model",
        () => post(t.detour.url, { max_tokens: 5, messages: [] }),
        400,
        "invalid_request_error",
      ],
      [
        "body over the limit",
        () => post(t.detour.url, { ...simple(), pad: "x".repeat(4096) }),
        413,
        "request_too_large",
      ],
      [
        "chunked body over the limit",
        () =>
          fetch(`${t.detour.url}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": CLIENT_KEY },
            body: new Blob([JSON.stringify({ ...simple(), pad: "y".repeat(8192) })]).stream(),
          }),
        413,
        "request_too_large",
      ],
      [
        "unknown route",
        () => post(t.detour.url, simple(), {}, "/v1/complete"),
        404,
        "not_found_error",
      ],
      [
        "GET /v1/messages",
        () => fetch(`${t.detour.url}/v1/messages`),
        405,
        "invalid_request_error",
      ],
    ];
    for (const [name, send, status, type] of cases) {
      const res = await send();
      assert.equal(res.status, status, `${name}: status`);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/, name);
      assert.match(res.headers.get("x-request-id") ?? "", /^req_/, `${name}: x-request-id`);
      assert.equal(res.headers.get("x-detour-provider"), "none", `${name}: x-detour-provider`);
      const body = await res.json();
      assertAnthropicError(body, type);
      assert.match(body.error.message, /\S/);
    }
    assert.equal(t.primary.received.length, 0, "bad input was forwarded");
    assert.equal(t.backup.received.length, 0);

    const res = await post(t.detour.url, simple());
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(t.primary.received.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("a stored key echoed in an upstream error reaches neither the client nor the log", async () => {
  const stored = "sk-proj-stored-secret-0123456789abcdef";
  const upstream = mockUpstream(() =>
    anthropicErrorResponse(401, "authentication_error", `Incorrect API key provided: ${stored}`)
  );
  const detour = await startDetour({
    providers: [{ id: "only", type: "anthropic", baseUrl: upstream.url, keys: [stored] }],
  });
  try {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-5", max_tokens: 5, messages: [] }),
    });
    assert.equal(res.status, 401);
    const text = await res.text();
    assert.equal(JSON.parse(text).error.type, "authentication_error");
    assert.match(text, /Incorrect API key provided: \[redacted\]/);
    assert.ok(!text.includes("stored-secret"));
    await waitFor(() => detour.logs.some((l) => l.includes('"msg":"request"')), 2000, "the log");
    assert.ok(!detour.logs.join("\n").includes("stored-secret"), "a log line holds the key");
  } finally {
    await detour.close();
    await upstream.close();
  }
});
