/**
 * Access control: who may spend stored keys, what an unauthorised request still gets, and that
 * access keys never travel upstream.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ProviderInput } from "../lib/config/schema.ts";
import {
  allHeaderText,
  anthropicErrorResponse,
  anthropicMessage,
  closeAll,
  mockUpstream,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

const ACCESS = "dtr_test_access_key_0123456789";
const CLIENT_KEY = "sk-ant-api03-access-test-client-key-0123456789";
const STORED_KEY = "sk-access-test-stored-key-0123456789";
const MODEL = "claude-sonnet-5";
const ATTEMPT = String.raw`\d+ms`;

type Answer = Parameters<typeof mockUpstream>[0];

const ok = (text: string): Answer => (_req, body) =>
  Response.json(anthropicMessage(text, JSON.parse(body).model));
const overloaded: Answer = () => anthropicErrorResponse(529, "overloaded_error", "Overloaded");

/**
 * A Detour over mocks: `passthrough` adds a passthrough primary before the stored-key backup.
 * `env` is passed to Detour (ACCESS_KEYS …).
 */
async function setup(opts: {
  passthrough?: boolean;
  primaryAnswer?: Answer;
  env?: Record<string, string>;
  backup?: Partial<ProviderInput>;
}) {
  const primary = mockUpstream(opts.primaryAnswer ?? ok("from primary"));
  const backup = mockUpstream(ok("from backup"));
  const providers: ProviderInput[] = [];
  if (opts.passthrough) {
    providers.push({ id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true });
  }
  providers.push({
    id: "backup",
    type: "anthropic",
    baseUrl: backup.url,
    keys: [STORED_KEY],
    ...opts.backup,
  });
  const detour = await startDetour({ providers }, opts.env);
  return { primary, backup, detour, close: () => closeAll(detour, primary, backup) };
}

function post(url: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      ...headers,
    },
    body: JSON.stringify({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
}

async function expectError(res: Response, status: number, type: string): Promise<string> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("x-detour-provider"), "none");
  const body = await res.json();
  assert.equal(body.type, "error");
  assert.equal(body.error.type, type);
  assert.equal(typeof body.error.message, "string");
  return body.error.message;
}

function assertNowhere(secret: string, ...mocks: ReturnType<typeof mockUpstream>[]) {
  for (const m of mocks) {
    assert.ok(!allHeaderText(m.received).includes(secret), "a secret was forwarded upstream");
    for (const r of m.received) assert.ok(!r.body.includes(secret), "a secret in a forwarded body");
  }
}

Deno.test("no access key configured: a loopback client may spend stored keys", async () => {
  const t = await setup({});
  try {
    // No credential at all.
    const res = await post(t.detour.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    await res.body?.cancel();
    assert.equal(t.backup.received[0].headers.get("x-api-key"), STORED_KEY);

    // With its own key (which must not go to the stored-key provider).
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.equal(t.backup.received[1].headers.get("x-api-key"), STORED_KEY);
    assertNowhere(CLIENT_KEY, t.backup);
  } finally {
    await t.close();
  }
});

Deno.test("ACCESS_KEYS set, only stored-key providers: 401 without a key, 403 with a wrong one", async () => {
  const t = await setup({ env: { ACCESS_KEYS: ACCESS } });
  try {
    const none = await expectError(await post(t.detour.url), 401, "authentication_error");
    assert.match(none, /access key/i);
    const ownKey = await post(t.detour.url, { "x-api-key": CLIENT_KEY });
    await expectError(ownKey, 401, "authentication_error");
    const wrong = await post(t.detour.url, {
      "x-detour-key": "dtr_wrong_key_0000000000000",
      "x-api-key": CLIENT_KEY,
    });
    const msg = await expectError(wrong, 403, "permission_error");
    assert.ok(!msg.includes("dtr_wrong_key"), "the error echoes the presented key");
    // Nearly right is still wrong.
    const near = await post(t.detour.url, { "x-detour-key": ACCESS.slice(0, -1) + "X" });
    await expectError(near, 403, "permission_error");

    assert.equal(t.backup.received.length, 0, "an unauthorised request spent a stored key");
  } finally {
    await t.close();
  }
});

Deno.test("ACCESS_KEYS set: without an access key only passthrough providers are used", async () => {
  const t = await setup({
    env: { ACCESS_KEYS: ACCESS },
    passthrough: true,
    primaryAnswer: overloaded,
  });
  try {
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    await assert.rejects(
      client.messages.create({ model: MODEL, max_tokens: 8, messages: [] }),
      (e) => e instanceof Anthropic.APIError && e.status === 529,
    );
    assert.equal(t.primary.received.length, 1);
    assert.equal(t.primary.received[0].headers.get("authorization"), `Bearer ${CLIENT_KEY}`);
    assert.equal(t.backup.received.length, 0, "stored keys spent for an unauthorised client");

    // A wrong x-detour-key does not block the client's own credential either.
    const res = await post(t.detour.url, { "x-api-key": CLIENT_KEY, "x-detour-key": "nope-nope" });
    assert.equal(res.status, 529);
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 529 ${ATTEMPT}$`),
    );
    await res.body?.cancel();
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a valid x-detour-key unlocks stored keys and is never forwarded", async () => {
  const t = await setup({
    env: { ACCESS_KEYS: `other_key_abcdefghijkl,${ACCESS}` },
    passthrough: true,
    primaryAnswer: overloaded,
  });
  try {
    // As Claude Code sends it: ANTHROPIC_CUSTOM_HEADERS="x-detour-key: …" plus its own key.
    const client = new Anthropic({
      baseURL: t.detour.url,
      apiKey: CLIENT_KEY,
      maxRetries: 0,
      defaultHeaders: { "x-detour-key": ACCESS },
    });
    const { data, response } = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    }).withResponse();
    assert.equal((data.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.equal(response.headers.get("x-detour-provider"), "backup");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 529 ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    // The primary got the client's own key, the backup its stored key; nobody the access key.
    assert.equal(t.primary.received[0].headers.get("authorization"), `Bearer ${CLIENT_KEY}`);
    assert.equal(t.backup.received[0].headers.get("x-api-key"), STORED_KEY);
    assertNowhere(ACCESS, t.primary, t.backup);
    assertNowhere(CLIENT_KEY, t.backup);

    // Raw, with x-api-key: same.
    const res = await post(t.detour.url, { "x-api-key": CLIENT_KEY, "x-detour-key": ACCESS });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assertNowhere(ACCESS, t.primary, t.backup);

    // Logs never hold a credential.
    await waitFor(() => t.detour.logs.some((l) => l.includes('"msg":"request"')), 1000, "a log");
    const logs = t.detour.logs.join("\n");
    for (const secret of [ACCESS, CLIENT_KEY, STORED_KEY]) {
      assert.ok(!logs.includes(secret), "a secret reached the logs");
    }
  } finally {
    await t.close();
  }
});

Deno.test("the access key as the API key (x-api-key or Bearer) authorises and skips passthrough", async () => {
  const t = await setup({ env: { ACCESS_KEYS: ACCESS }, passthrough: true });
  try {
    const raw = await post(t.detour.url, { "x-api-key": ACCESS });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get("x-detour-provider"), "backup");
    assert.match(raw.headers.get("x-detour-attempts") ?? "", new RegExp(`^backup 200 ${ATTEMPT}$`));
    await raw.body?.cancel();

    // The SDK (1.x) sends its apiKey as Authorization: Bearer.
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: ACCESS, maxRetries: 0 });
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "from backup");

    assert.equal(t.primary.received.length, 0, "the access key was sent to the passthrough");
    assert.equal(t.backup.received.length, 2);
    assertNowhere(ACCESS, t.backup);
    for (const r of t.backup.received) assert.equal(r.headers.get("x-api-key"), STORED_KEY);
  } finally {
    await t.close();
  }
});

Deno.test("an access key sent in both x-detour-key and as the API key is never forwarded", async () => {
  const OTHER = "dtr_second_access_key_abcdefghij";
  const t = await setup({ env: { ACCESS_KEYS: `${ACCESS},${OTHER}` }, passthrough: true });
  try {
    for (
      const headers of [
        { "x-detour-key": ACCESS, "x-api-key": ACCESS } as Record<string, string>,
        { "x-detour-key": ACCESS, authorization: `Bearer ${OTHER}` },
      ]
    ) {
      const res = await post(t.detour.url, headers);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-detour-provider"), "backup");
      await res.body?.cancel();
    }
    assert.equal(t.primary.received.length, 0, "an access key went to the passthrough upstream");
    assertNowhere(ACCESS, t.backup);
    assertNowhere(OTHER, t.backup);
  } finally {
    await t.close();
  }
});

Deno.test("an access key as the only credential with only passthrough providers: 401, nothing sent", async () => {
  const primary = mockUpstream(ok("from primary"));
  const detour = await startDetour({
    providers: [{ id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true }],
  }, { ACCESS_KEYS: ACCESS });
  try {
    await expectError(await post(detour.url, { "x-api-key": ACCESS }), 401, "authentication_error");
    await expectError(
      await post(detour.url, { authorization: `Bearer ${ACCESS}` }),
      401,
      "authentication_error",
    );
    assert.equal(primary.received.length, 0);
  } finally {
    await closeAll(detour, primary);
  }
});

for (
  const [name, value] of [
    ["x-forwarded-for", "203.0.113.9"],
    ["forwarded", "for=203.0.113.9"],
    ["x-real-ip", "203.0.113.9"],
  ] as const
) {
  Deno.test(`a loopback request relayed with ${name} is not treated as loopback`, async () => {
    const t = await setup({});
    try {
      const res = await post(t.detour.url, { [name]: value, "x-api-key": CLIENT_KEY });
      await expectError(res, 401, "authentication_error");
      assert.equal(t.backup.received.length, 0);
      // The same request straight from loopback is served.
      const direct = await post(t.detour.url, { "x-api-key": CLIENT_KEY });
      assert.equal(direct.status, 200);
      await direct.body?.cancel();
    } finally {
      await t.close();
    }
  });
}

Deno.test("access keys created through the admin API work at once and stop after DELETE", async () => {
  const t = await setup({ env: { ACCESS_KEYS: ACCESS } });
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${t.detour.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${t.detour.adminToken}`,
        "content-type": "application/json",
      },
    });
  try {
    const created = await admin("/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "laptop" }),
    });
    assert.equal(created.status, 201);
    const { id, key } = await created.json() as { id: string; key: string };
    assert.ok(typeof key === "string" && key.length >= 20);

    const viaHeader = await post(t.detour.url, { "x-detour-key": key, "x-api-key": CLIENT_KEY });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.headers.get("x-detour-provider"), "backup");
    await viaHeader.body?.cancel();
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: key, maxRetries: 0 });
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "from backup");
    assert.equal(t.backup.received.length, 2);
    assertNowhere(key, t.backup);

    const revoked = await admin(`/admin/api/access-keys/${id}`, { method: "DELETE" });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();

    await expectError(
      await post(t.detour.url, { "x-detour-key": key, "x-api-key": CLIENT_KEY }),
      403,
      "permission_error",
    );
    await assert.rejects(
      client.messages.create({ model: MODEL, max_tokens: 8, messages: [] }),
      (e) => e instanceof Anthropic.AuthenticationError && e.status === 401,
    );
    assert.equal(t.backup.received.length, 2, "a revoked key still spent a stored key");

    // The env key is unaffected.
    const env = await post(t.detour.url, { "x-detour-key": ACCESS });
    assert.equal(env.status, 200);
    await env.body?.cancel();
  } finally {
    await t.close();
  }
});
