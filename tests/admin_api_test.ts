/** The admin JSON API over HTTP: auth, masked config, atomic validated replace, status, test. */
import assert from "node:assert/strict";
import { settle } from "./helpers/usage.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  mockUpstream,
  startDetour,
} from "./helpers/harness.ts";

const STORED_KEY = "sk-zai-secret-key-0123456789abcdef";

async function setup() {
  const upstream = mockUpstream((req, body) => {
    if (req.headers.get("x-api-key") === "bad-key-0123456789") {
      return anthropicErrorResponse(401, "authentication_error", "invalid x-api-key");
    }
    return Response.json(anthropicMessage("pong", JSON.parse(body).model));
  });
  const detour = await startDetour({
    providers: [
      { id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true },
      {
        id: "zai",
        type: "anthropic",
        baseUrl: upstream.url,
        keys: [STORED_KEY],
        modelMap: { "fast": "glm-4.6" },
      },
    ],
  });
  const api = (path: string, init: RequestInit = {}, token = detour.adminToken) =>
    fetch(`${detour.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });
  return {
    upstream,
    detour,
    api,
    close: async () => {
      await detour.close();
      await upstream.close();
    },
  };
}

Deno.test("admin API refuses a missing or wrong token", async () => {
  const t = await setup();
  try {
    const none = await fetch(`${t.detour.url}/admin/api/config`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const wrong = await t.api("/admin/api/config", {}, "not-the-token-at-all");
    assert.equal(wrong.status, 401);
    const text = await wrong.text();
    assert.ok(!text.includes(t.detour.adminToken));
  } finally {
    await t.close();
  }
});

Deno.test("GET config masks stored keys; PUT validates, keeps masked keys, replaces atomically", async () => {
  const t = await setup();
  try {
    const res = await t.api("/admin/api/config");
    assert.equal(res.status, 200);
    const etag = res.headers.get("etag");
    assert.ok(etag);
    const text = await res.text();
    assert.ok(!text.includes(STORED_KEY), "stored key must never be sent");
    const config = JSON.parse(text);
    assert.equal(config.providers[1].keys.length, 1);
    assert.ok(config.providers[1].keys[0].includes("…"));

    // Invalid: every problem listed, stored config untouched.
    const bad = structuredClone(config);
    bad.providers[0].baseUrl = "not a url";
    bad.providers[1].id = "anthropic";
    bad.cooldownSeconds = -5;
    const rejected = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(bad) });
    assert.equal(rejected.status, 400);
    const err = await rejected.json();
    const paths = err.error.issues.map((i: { path: string }) => i.path);
    assert.ok(paths.includes("providers.0.baseUrl"), paths.join());
    assert.ok(paths.includes("providers.1.id"), paths.join());
    assert.ok(paths.includes("cooldownSeconds"), paths.join());
    assert.equal(t.detour.deps.live.config.providers[1].id, "zai");

    // Malformed JSON.
    const malformed = await t.api("/admin/api/config", { method: "PUT", body: "{nope" });
    assert.equal(malformed.status, 400);
    await malformed.body?.cancel();

    // A valid edit with the masked key kept and a new key added.
    config.providers[1].keys.push("sk-new-key-abcdefghijklmnopqrstuvwxyz");
    config.cooldownSeconds = 30;
    const ok = await t.api("/admin/api/config", {
      method: "PUT",
      body: JSON.stringify(config),
      headers: { "if-match": etag! },
    });
    assert.equal(ok.status, 200, await ok.clone().text());
    const saved = await ok.text();
    assert.ok(!saved.includes(STORED_KEY) && !saved.includes("abcdefghijklmnopqrstuvwxyz"));
    assert.deepEqual(t.detour.deps.live.config.providers[1].keys, [
      STORED_KEY,
      "sk-new-key-abcdefghijklmnopqrstuvwxyz",
    ]);
    assert.equal(t.detour.deps.live.config.cooldownSeconds, 30);

    // The old ETag is now stale.
    const stale = await t.api("/admin/api/config", {
      method: "PUT",
      body: JSON.stringify(config),
      headers: { "if-match": etag! },
    });
    assert.equal(stale.status, 412);
    await stale.body?.cancel();

    // A masked key that matches nothing is an error, not a silent loss.
    config.providers[1].keys = ["sk-zzz…9999"];
    const lost = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(config) });
    assert.equal(lost.status, 400);
    assert.match((await lost.json()).error.issues[0].path, /providers\.1\.keys\.0/);
  } finally {
    await t.close();
  }
});

Deno.test("PUT accepts a claude-code-fallback provider array", async () => {
  const t = await setup();
  try {
    const legacy = [{
      name: "My GLM",
      baseUrl: `${t.upstream.url}/v1/messages`,
      apiKey: "legacy-key-0123456789",
      modelMapping: { "claude-sonnet-4-5": "glm-4.6" },
    }];
    const res = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(legacy) });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.deepEqual(body.providers.map((p: { id: string }) => p.id), ["anthropic", "my-glm"]);
    assert.equal(body.providers[1].baseUrl, t.upstream.url);
    assert.deepEqual(t.detour.deps.live.config.providers[1].keys, ["legacy-key-0123456789"]);
  } finally {
    await t.close();
  }
});

Deno.test("status lists providers and keys; test endpoint probes one provider", async () => {
  const t = await setup();
  try {
    const probe = await t.api("/admin/api/providers/zai/test", { method: "POST", body: "{}" });
    assert.equal(probe.status, 200);
    const result = await probe.json();
    assert.equal(result.ok, true);
    assert.equal(result.status, 200);
    assert.equal(result.model, "glm-4.6");
    assert.equal(typeof result.latencyMs, "number");
    const sent = JSON.parse(t.upstream.received.at(-1)!.body);
    assert.equal(sent.max_tokens, 1);
    assert.equal(t.upstream.received.at(-1)!.headers.get("x-api-key"), STORED_KEY);

    const pass = await t.api("/admin/api/providers/anthropic/test", { method: "POST", body: "{}" });
    const passResult = await pass.json();
    assert.equal(passResult.ok, false);
    assert.match(passResult.error, /apiKey/);

    const badKey = await t.api("/admin/api/providers/anthropic/test", {
      method: "POST",
      body: JSON.stringify({ apiKey: "bad-key-0123456789", model: "claude-haiku-4-5" }),
    });
    const badResult = await badKey.json();
    assert.equal(badResult.ok, false);
    assert.equal(badResult.status, 401);
    assert.ok(!JSON.stringify(badResult).includes("bad-key-0123456789"));
    // A probe never cools anything down.
    assert.equal(t.detour.deps.cooldowns.all().size, 0);

    const missing = await t.api("/admin/api/providers/nope/test", { method: "POST", body: "{}" });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();

    const status = await t.api("/admin/api/status");
    const text = await status.text();
    assert.ok(!text.includes(STORED_KEY));
    const s = JSON.parse(text);
    assert.deepEqual(s.providers.map((p: { id: string }) => p.id), ["anthropic", "zai"]);
    assert.equal(s.providers[1].keys.length, 1);
    assert.equal(s.providers[1].keys[0].label, "zai#1");
    assert.equal(s.providers[1].cooling, null);
  } finally {
    await t.close();
  }
});

Deno.test("access keys: created once-visible, listed without secrets, revoked", async () => {
  const t = await setup();
  try {
    const bad = await t.api("/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "" }),
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    const created = await t.api("/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "laptop" }),
    });
    assert.equal(created.status, 201);
    const { id, key, label } = await created.json();
    assert.equal(label, "laptop");
    assert.match(key, /^dtr_/);
    const list = await (await t.api("/admin/api/access-keys")).text();
    assert.ok(list.includes("laptop") && !list.includes(key));
    const del = await t.api(`/admin/api/access-keys/${id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
    await del.body?.cancel();
    const again = await t.api(`/admin/api/access-keys/${id}`, { method: "DELETE" });
    assert.equal(again.status, 404);
    await again.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("status reports last error and 24 h counts once outcomes are flushed", async () => {
  const upstream = mockUpstream((_req, _body, n) =>
    n === 1
      ? anthropicErrorResponse(529, "overloaded_error", "Overloaded")
      : Response.json(anthropicMessage("ok"))
  );
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: upstream.url, keys: ["sk-primary-0123456789"] },
    ],
    cooldownSeconds: 0,
  });
  try {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-sonnet-5", max_tokens: 5, messages: [] }),
      });
      await res.body?.cancel();
    }
    await settle(detour, 2);
    const status = await (await fetch(`${detour.url}/admin/api/status`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    })).json();
    const p = status.providers[0];
    assert.equal(p.ok24h, 1);
    assert.equal(p.fail24h, 1);
    assert.match(p.lastError, /529: Overloaded/);
    assert.ok(p.lastOkAt);
    assert.equal(p.keys[0].ok24h, 1);
  } finally {
    await detour.close();
    await upstream.close();
  }
});

Deno.test("wrong Bearer tokens are throttled per address like the login form", async () => {
  const t = await setup();
  try {
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) {
      last = await t.api("/admin/api/config", {}, `wrong-token-${i}-0123456789`);
      await last.body?.cancel();
    }
    assert.equal(last!.status, 429);
    assert.ok(Number(last!.headers.get("retry-after")) > 0);
    // Locked even for the right token until the lock ends: guessing gains nothing.
    const right = await t.api("/admin/api/config");
    assert.equal(right.status, 429);
    await right.body?.cancel();
  } finally {
    await t.close();
  }
});
