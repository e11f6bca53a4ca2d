/**
 * Config typos and unsafe values are refused where a config comes in (PUT /admin/api/config,
 * the import that uses it, CONFIG_FILE), over HTTP; what Detour itself hands out comes back
 * accepted; a stored config from another version still loads (issue 12, items 4 and 7).
 */
import assert from "node:assert/strict";
import { buildApp } from "../lib/app.ts";
import { boot } from "../lib/boot.ts";
import { readEnv } from "../lib/config/env.ts";
import type { ConfigInput } from "../lib/config/schema.ts";
import { KV } from "../lib/store/keys.ts";
import { ADMIN_TOKEN, serve, startDetour } from "./helpers/harness.ts";

const STORED_KEY = "sk-zai-secret-key-0123456789abcdef";
/** A key a user pasted across two lines: the part after the break must never be echoed. */
const BROKEN_KEY = "sk-first-half-0123\r\nX-Injected: second-half-4567";

const CONFIG: ConfigInput = {
  providers: [
    { id: "anthropic", type: "anthropic", baseUrl: "https://api.anthropic.com", passthrough: true },
    {
      id: "zai",
      name: "Z.AI",
      type: "anthropic",
      baseUrl: "https://api.z.ai/api/anthropic",
      keys: [STORED_KEY],
      authHeader: "authorization",
      headers: { "x-team": "blue" },
      modelMap: { "claude-*haiku*": "glm-4.5-air" },
      timeoutMs: 5000,
      quota: { tokens: 1_000_000, period: "week", weekStartsOn: "sunday" },
    },
    {
      id: "br",
      type: "bedrock",
      baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
      region: "us-east-1",
      awsAccessKeyId: "AKIAABCDEFGHIJKLMNOP",
      awsSecretAccessKey: "aws-secret-0123456789abcdefghijklmnop",
      allowedBetas: ["*"],
    },
    {
      id: "router",
      type: "openai",
      baseUrl: "https://openrouter.ai/api/v1",
      keys: ["sk-or-0123456789abcdefghijklmnop"],
      reasoning: "openrouter",
      dropFields: ["store"],
      enabled: false,
    },
  ],
  cooldownSeconds: 30,
  corsOrigins: ["https://app.example"],
  circuitBreaker: { degradedAfter: 2, openAfter: 4 },
  requestLog: { maxEntries: 100 },
  webhook: { url: "https://hooks.example/services/secret-token", burstFallbacks: 3 },
};

async function setup() {
  const detour = await startDetour(CONFIG);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${detour.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    });
  const put = (body: unknown) =>
    api("/admin/api/config", { method: "PUT", body: JSON.stringify(body) });
  return { detour, api, put };
}

interface Issues {
  error: { message: string; issues: { path: string; message: string }[] };
}

Deno.test("PUT config refuses unknown fields with their path and a did-you-mean; nothing changes", async () => {
  const { detour, api, put } = await setup();
  try {
    const config = await (await api("/admin/api/config")).json();
    config.fallbackon = [429];
    config.providers[1].timeoutMS = 1000;
    config.providers[1].cooldownSecnds = 5;
    config.providers[1].quota.perkey = true;
    config.webhook.timeout = 100;
    config.whatever = 1;
    const res = await put(config);
    assert.equal(res.status, 400);
    const body: Issues = await res.json();
    const byPath = Object.fromEntries(body.error.issues.map((i) => [i.path, i.message]));
    assert.deepEqual(byPath, {
      "fallbackon": "unknown field `fallbackon`: did you mean `fallbackOn`?",
      "providers.1.timeoutMS": "unknown field `timeoutMS`: did you mean `timeoutMs`?",
      "providers.1.cooldownSecnds":
        "unknown field `cooldownSecnds`: did you mean `cooldownSeconds`?",
      "providers.1.quota.perkey": "unknown field `perkey`: did you mean `perKey`?",
      "webhook.timeout": "unknown field `timeout`: did you mean `timeoutMs`?",
      "whatever": "unknown field `whatever`",
    });
    assert.match(body.error.message, /nothing was changed/);
    assert.equal(detour.deps.live.config.providers[1].timeoutMs, 5000);
    assert.equal(detour.deps.live.config.providers[1].quota?.perKey, false);
  } finally {
    await detour.close();
  }
});

Deno.test("what Detour hands out is accepted back: GET config, the masked export, the keyed export", async () => {
  const { detour, api, put } = await setup();
  try {
    const before = structuredClone(detour.deps.live.config);
    const got = await api("/admin/api/config");
    const masked = await got.json();
    const res = await put(masked);
    assert.equal(res.status, 200, await res.clone().text());
    const exported = await (await api("/admin/api/config/export")).json();
    assert.equal((await put(exported)).status, 200);
    const keyed = await api("/admin/api/config/export", {
      method: "POST",
      body: JSON.stringify({ confirm: "include-secrets" }),
    });
    assert.equal((await put(await keyed.json())).status, 200);
    // Every masked secret stood for the stored one: the config is what it was.
    assert.deepEqual(detour.deps.live.config, before);
  } finally {
    await detour.close();
  }
});

Deno.test("the claude-code-fallback import keeps its own lenient mapping", async () => {
  const { detour, put } = await setup();
  try {
    const legacy = [{
      name: "My GLM",
      baseUrl: "https://api.z.ai/api/anthropic",
      apiKey: "legacy-key-0123456789",
      // A field claude-code-fallback wrote that Detour has no use for: ignored, as before.
      priority: 3,
    }];
    const res = await put(legacy);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(detour.deps.live.config.providers.map((p) => p.id), ["anthropic", "my-glm"]);
  } finally {
    await detour.close();
  }
});

Deno.test("keys, tokens and header values with line breaks are refused, without echoing them", async () => {
  const { detour, api, put } = await setup();
  try {
    const config = await (await api("/admin/api/config")).json();
    const cases: [string, (c: typeof config) => void][] = [
      ["providers.1.keys.1", (c) => c.providers[1].keys.push(BROKEN_KEY)],
      ["providers.1.headers.x-team", (c) => (c.providers[1].headers["x-team"] = BROKEN_KEY)],
      ["providers.2.awsSecretAccessKey", (c) => (c.providers[2].awsSecretAccessKey = BROKEN_KEY)],
      ["providers.1.keys.1", (c) => c.providers[1].keys.push("sk-nul-0123456789\u0000abcdef")],
    ];
    for (const [path, edit] of cases) {
      const copy = structuredClone(config);
      edit(copy);
      const res = await put(copy);
      const text = await res.text();
      assert.equal(res.status, 400, path);
      const body: Issues = JSON.parse(text);
      assert.deepEqual(body.error.issues.map((i) => i.path), [path]);
      assert.match(body.error.issues[0].message, /line break or another control character/);
      for (const part of ["first-half", "second-half", "X-Injected", "0123456789"]) {
        assert.ok(!text.includes(part), `${path}: the value is echoed`);
      }
    }
    // A header value pasted with a trailing line break still works: fetch strips it.
    const trailing = structuredClone(config);
    trailing.providers[1].headers["x-team"] = "blue\n";
    assert.equal((await put(trailing)).status, 200);
    assert.deepEqual(detour.deps.live.config.providers[1].keys, [STORED_KEY]);
  } finally {
    await detour.close();
  }
});

Deno.test("CONFIG_FILE with a typo or a broken key does not start, and says where", async () => {
  const typo = { ...CONFIG, cooldownSecnds: 5 } as ConfigInput;
  await assert.rejects(
    () => startDetour(typo),
    /cooldownSecnds: unknown field `cooldownSecnds`: did you mean `cooldownSeconds`\?/,
  );
  const broken = structuredClone(CONFIG);
  broken.providers[1].keys = [BROKEN_KEY];
  const err = await startDetour(broken).then(() => null, (e: Error) => e);
  assert.ok(err);
  assert.match(err.message, /providers\.1\.keys\.0: the key contains a line break/);
  assert.ok(!err.message.includes("second-half"));
});

Deno.test("a stored config with unknown fields or an unsendable key still loads, with a warning", async () => {
  const kv = await Deno.openKv(":memory:");
  const stored = structuredClone(CONFIG) as ConfigInput & Record<string, unknown>;
  stored.futureSetting = true;
  (stored.providers[1] as Record<string, unknown>).futureField = "x";
  // Saved before line breaks were refused: it could never be sent, so it is left out too.
  stored.providers[1].keys = [STORED_KEY, BROKEN_KEY];
  await kv.set(KV.config(), { config: stored, updatedAt: new Date().toISOString() });
  const logs: string[] = [];
  const env = readEnv({ KV_PATH: ":memory:", ADMIN_TOKEN, LOG_LEVEL: "info" });
  const deps = await boot(env, kv, () => {}, (l) => logs.push(l));
  const server = serve(buildApp(deps).fetch);
  try {
    const res = await fetch(`${server.url}/admin/api/config`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const config = await res.json();
    assert.deepEqual(config.providers.map((p: { id: string }) => p.id), [
      "anthropic",
      "zai",
      "br",
      "router",
    ]);
    assert.equal(config.cooldownSeconds, 30);
    const warning = logs.map((l) => JSON.parse(l)).find((l) => l.level === "warn");
    assert.ok(warning, logs.join("\n"));
    assert.deepEqual(warning.ignored.sort(), [
      "futureSetting",
      "providers.1.futureField",
      "providers.1.keys.1",
    ]);
    assert.ok(!logs.join("\n").includes("second-half"), "the warning names paths, not values");
    assert.deepEqual(deps.live.config.providers[1].keys, [STORED_KEY]);
    // Nothing is lost: KV still holds what the other version wrote.
    const raw = await kv.get<{ config: Record<string, unknown> }>(KV.config());
    assert.equal(raw.value?.config.futureSetting, true);
  } finally {
    await server.close();
    await deps.close();
    kv.close();
  }
});
