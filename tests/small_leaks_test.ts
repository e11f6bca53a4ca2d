/**
 * Smaller leaks (issue 12, item 8): /health tells strangers only that Detour is up, and a
 * client's credential headers never reach a provider beside the credential Detour sets.
 * (The CSRF check's X-Forwarded-Host is tested in admin_auth_test.ts.)
 */
import assert from "node:assert/strict";
import {
  ADMIN_TOKEN,
  anthropicErrorResponse,
  anthropicMessage,
  closeAll,
  mockUpstream,
  startDetour,
} from "./helpers/harness.ts";

const STORED_KEY = "sk-small-leaks-stored-key-0123456789";
const CLIENT_KEY = "sk-ant-api03-small-leaks-client-key-0123456789";
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const MODEL = "claude-sonnet-5";

Deno.test("/health without a token: status only, no provider ids or cooldowns; details with the admin token", async () => {
  // The primary answers 529, so it cools down and /health has something to tell.
  const primary = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "busy"));
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("ok", JSON.parse(body).model))
  );
  const detour = await startDetour({
    providers: [
      { id: "secret-primary", type: "anthropic", baseUrl: primary.url, keys: ["sk-a-0123456789"] },
      { id: "secret-backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
    ],
  }, { METRICS_TOKEN });
  try {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [] }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();

    const anon = await fetch(`${detour.url}/health`);
    assert.equal(anon.status, 200);
    const text = await anon.text();
    assert.deepEqual(JSON.parse(text), { status: "ok" });
    assert.ok(!text.includes("secret-"), "a provider id reached an anonymous caller");

    for (const token of [ADMIN_TOKEN, METRICS_TOKEN]) {
      const full = await fetch(`${detour.url}/health`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(full.status, 200);
      const body = await full.json();
      assert.equal(body.status, "ok");
      assert.equal(body.providers, 2);
      assert.deepEqual(body.coolingDown.map((c: { id: string }) => c.id), ["secret-primary"]);
    }
    const wrong = await fetch(`${detour.url}/health`, {
      headers: { authorization: "Bearer not-the-admin-token" },
    });
    assert.equal(wrong.status, 401);
    assert.ok(!(await wrong.text()).includes("secret-"));
  } finally {
    await closeAll(detour, primary, backup);
  }
});

/** Credential headers of every vendor a client might send along. */
const CLIENT_CREDENTIALS: Record<string, string> = {
  "api-key": "azure-client-secret-0123456789",
  "x-goog-api-key": "google-client-secret-0123456789",
  "x-goog-user-project": "client-billing-project",
  "x-amz-security-token": "aws-session-token-client-0123456789",
  "x-amz-date": "20260101T000000Z",
  "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  "proxy-authorization": "Basic Y2xpZW50OnNlY3JldA==",
  "x-auth-token": "client-auth-token-0123456789",
  "x-access-token": "client-access-token-0123456789",
  "openai-organization": "org-client",
  "openai-project": "proj_client",
  cookie: "session=client-cookie-secret",
};

Deno.test("a client's credential headers reach neither a stored-key nor a passthrough provider", async () => {
  const primary = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "busy"));
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("ok", JSON.parse(body).model))
  );
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      {
        id: "backup",
        type: "anthropic",
        baseUrl: backup.url,
        keys: [STORED_KEY],
        // A header the operator configured is the provider's own: it is sent.
        headers: { "x-goog-user-project": "operator-project" },
      },
    ],
  });
  try {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-api-key": CLIENT_KEY,
        ...CLIENT_CREDENTIALS,
      },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [] }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    await res.body?.cancel();

    const [toPrimary] = primary.received;
    const [toBackup] = backup.received;
    assert.equal(toPrimary.headers.get("x-api-key"), CLIENT_KEY);
    assert.equal(toBackup.headers.get("x-api-key"), STORED_KEY);
    assert.equal(toBackup.headers.get("x-goog-user-project"), "operator-project");
    assert.equal(toBackup.headers.get("anthropic-version"), "2023-06-01");
    for (const name of Object.keys(CLIENT_CREDENTIALS)) {
      assert.equal(toPrimary.headers.get(name), null, `${name} went to the passthrough provider`);
      if (name !== "x-goog-user-project") {
        assert.equal(toBackup.headers.get(name), null, `${name} went to the stored-key provider`);
      }
    }
    const sent = [...primary.received, ...backup.received]
      .flatMap((r) => [...r.headers.values()]).join("\n");
    for (const value of Object.values(CLIENT_CREDENTIALS)) {
      assert.ok(!sent.includes(value), `a client credential was forwarded: ${value}`);
    }
  } finally {
    await closeAll(detour, primary, backup);
  }
});
