/** Unit tests: model map, planning with cooldowns, classification, config conversion, masking. */
import assert from "node:assert/strict";
import { compileModelMap, modelMapNames } from "../lib/fallback/model_map.ts";
import {
  classifyStatus,
  cooldownMs,
  scopeOf,
  statusForErrorType,
} from "../lib/fallback/classify.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import { planAttempts } from "../lib/fallback/plan.ts";
import {
  ConfigSchema,
  DEFAULT_FALLBACK_ON,
  defaultConfig,
  normalizeBaseUrl,
} from "../lib/config/schema.ts";
import { convertLegacyConfig, isLegacyConfig } from "../lib/config/legacy.ts";
import { isMasked, maskConfig, maskKey, unmaskKeys } from "../lib/config/mask.ts";
import { retryAfterMs } from "../lib/http/headers.ts";
import type { ClientContext } from "../lib/auth/client.ts";
import { readEnv } from "../lib/config/env.ts";

Deno.test("model map: exact names, globs, first match wins, no match means not taken", () => {
  const map = compileModelMap({
    "claude-*haiku*": "glm-4.5-air",
    "fast": "glm-4.6",
    "*": "glm-4.6-x",
  });
  assert.equal(map("claude-haiku-4-5-20251001"), "glm-4.5-air");
  assert.equal(map("fast"), "glm-4.6");
  assert.equal(map("claude-opus-4-8"), "glm-4.6-x");
  const strict = compileModelMap({ "claude-*sonnet*": "x" });
  assert.equal(strict("claude-opus-4-8"), null);
  assert.equal(strict("claude-sonnet-5"), "x");
  // Regex metacharacters in patterns are literal.
  assert.equal(compileModelMap({ "a.b": "y" })("axb"), null);
  assert.equal(compileModelMap({})("anything"), "anything");
  assert.deepEqual(modelMapNames({ "fast": "a", "claude-*": "b", "deep-think": "c" }), [
    "fast",
    "deep-think",
  ]);
});

Deno.test("classify: ok, fallback and final statuses; scope; stream error types", () => {
  assert.equal(classifyStatus(200, DEFAULT_FALLBACK_ON), "ok");
  for (const s of [401, 403, 408, 429, 500, 502, 503, 504, 529]) {
    assert.equal(classifyStatus(s, DEFAULT_FALLBACK_ON), "fallback", String(s));
  }
  for (const s of [400, 404, 413, 422, 501]) {
    assert.equal(classifyStatus(s, DEFAULT_FALLBACK_ON), "final");
  }
  assert.equal(scopeOf(429), "credential");
  assert.equal(scopeOf(401), "credential");
  assert.equal(scopeOf(529), "provider");
  assert.equal(statusForErrorType("overloaded_error"), 529);
  assert.equal(statusForErrorType("rate_limit_error"), 429);
  assert.equal(statusForErrorType("something_new"), 500);
});

Deno.test("cooldown length: max(retry-after, configured); auth failures use the auth cooldown", () => {
  const base = { scope: "provider" as const, cooldownSeconds: 60, authCooldownSeconds: 1800 };
  assert.equal(cooldownMs({ ...base, status: 529, retryAfterMs: 0 }), 60_000);
  assert.equal(cooldownMs({ ...base, status: 429, retryAfterMs: 120_000 }), 120_000);
  assert.equal(cooldownMs({ ...base, status: 401, retryAfterMs: 0 }), 1_800_000);
  assert.equal(cooldownMs({ ...base, cooldownSeconds: 0, status: 500, retryAfterMs: 0 }), 0);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "30" })), 30_000);
  assert.equal(retryAfterMs(new Headers({ "retry-after-ms": "1500" })), 1500);
  const date = new Date(Date.now() + 10_000).toUTCString();
  assert.ok(retryAfterMs(new Headers({ "retry-after": date })) > 8000);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "soon" })), 0);
});

const client = (over: Partial<ClientContext> = {}): ClientContext => ({
  credential: { header: "x-api-key", value: "sk-ant-client", hash: "ab".repeat(32) },
  authorized: true,
  accessKey: null,
  badAccessKey: false,
  ...over,
});

async function chainOf() {
  return await compileChain(ConfigSchema.parse({
    providers: [
      {
        id: "anthropic",
        type: "anthropic",
        baseUrl: "https://api.anthropic.com",
        passthrough: true,
      },
      {
        id: "zai",
        type: "anthropic",
        baseUrl: "https://api.z.ai/api/anthropic",
        keys: ["k-one-0000000000", "k-two-0000000000"],
        modelMap: { "claude-*": "glm-4.6" },
      },
      { id: "off", type: "anthropic", baseUrl: "https://off.example", keys: ["k"], enabled: false },
      {
        id: "haiku-only",
        type: "anthropic",
        baseUrl: "https://h.example",
        keys: ["k3"],
        modelMap: { "claude-*haiku*": "h" },
      },
    ],
  }));
}

Deno.test("plan: chain order, model filter, disabled skipped, keys rotate", async () => {
  const chain = await chainOf();
  const none = { get: () => undefined };
  const a = planAttempts(chain, "claude-sonnet-5", client(), none);
  assert.deepEqual(a.attempts.map((x) => x.provider.id), ["anthropic", "zai", "zai"]);
  assert.equal(a.attempts[1].model, "glm-4.6");
  assert.deepEqual(a.skipped, [{ provider: "off", reason: "disabled" }, {
    provider: "haiku-only",
    reason: "model",
  }]);
  const b = planAttempts(chain, "claude-sonnet-5", client(), none);
  // Round-robin: the second request starts on the other key.
  assert.notEqual(a.attempts[1].credential, b.attempts[1].credential);
  assert.notEqual(
    (a.attempts[1].credential as { value: string }).value,
    (b.attempts[1].credential as { value: string }).value,
  );
});

Deno.test("plan: credentials decide who may use what", async () => {
  const chain = await chainOf();
  const none = { get: () => undefined };
  const anon = planAttempts(chain, "claude-sonnet-5", client({ authorized: false }), none);
  assert.deepEqual(anon.attempts.map((x) => x.provider.id), ["anthropic"]);
  const keyOnly = planAttempts(chain, "claude-sonnet-5", client({ credential: null }), none);
  assert.deepEqual(keyOnly.attempts.map((x) => x.provider.id), ["zai", "zai"]);
  assert.ok(
    keyOnly.skipped.some((s) => s.provider === "anthropic" && s.reason === "no_credential"),
  );
  const passthrough = anon.attempts[0].credential;
  assert.equal(passthrough.kind, "client");
  assert.ok(passthrough.target.startsWith("c:anthropic:"));
});

Deno.test("plan: cooling attempts go last, soonest first; all cooling still tries", async () => {
  const chain = await chainOf();
  const now = 1_000_000;
  const cooling = new Map<string, { until: number }>([
    ["p:anthropic", { until: now + 50_000 }],
    [chain.providers[1].keys[0].target, { until: now + 10_000 }],
  ]);
  const plan = planAttempts(
    chain,
    "claude-sonnet-5",
    client(),
    { get: (t) => cooling.get(t) },
    now,
  );
  assert.deepEqual(plan.attempts.map((a) => [a.label, a.coolingUntil]), [
    ["zai#2", null],
    ["zai#1", now + 10_000],
    ["anthropic", now + 50_000],
  ]);
  cooling.set("p:zai", { until: now + 5_000 });
  const all = planAttempts(chain, "claude-sonnet-5", client(), { get: (t) => cooling.get(t) }, now);
  assert.equal(all.attempts.length, 3);
  assert.ok(all.attempts.every((a) => a.coolingUntil !== null));
  assert.equal(all.attempts[0].provider.id, "zai");
});

Deno.test("config: defaults, base URL normalisation, clear errors", () => {
  const def = defaultConfig();
  assert.equal(def.providers.length, 1);
  assert.equal(def.providers[0].passthrough, true);
  assert.deepEqual(def.fallbackOn, DEFAULT_FALLBACK_ON);
  assert.equal(def.cooldownSeconds, 60);
  assert.equal(
    normalizeBaseUrl("https://x.example/api/anthropic/v1/messages/"),
    "https://x.example/api/anthropic",
  );
  assert.equal(normalizeBaseUrl("https://x.example/v1"), "https://x.example");
  const bad = ConfigSchema.safeParse({
    providers: [
      { id: "A B", type: "anthropic", baseUrl: "ftp://x" },
      { id: "dup", type: "anthropic", baseUrl: "https://a.example" },
      { id: "dup", type: "anthropic", baseUrl: "https://b.example", headers: { host: "x" } },
    ],
  });
  assert.equal(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("providers.0.id"));
  assert.ok(paths.includes("providers.0.baseUrl"));
  assert.ok(paths.includes("providers.2.id"));
  assert.ok(paths.includes("providers.2.headers"));
});

Deno.test("legacy claude-code-fallback config converts", () => {
  const legacy = [
    {
      name: "Z.AI GLM",
      baseUrl: "https://api.z.ai/api/anthropic/v1/messages",
      apiKey: "zai-key-123",
      authHeader: "x-api-key",
      modelMapping: { "claude-sonnet-4-5": "glm-4.6" },
    },
    {
      name: "Z.AI GLM",
      baseUrl: "https://b.example",
      apiKey: "k2",
      headers: { "x-extra": "1" },
      disabled: true,
    },
  ];
  assert.ok(isLegacyConfig(legacy));
  assert.ok(isLegacyConfig({ providers: legacy, cooldownDuration: 120 }));
  assert.ok(!isLegacyConfig(defaultConfig()));
  const converted = ConfigSchema.parse(
    convertLegacyConfig({ providers: legacy, cooldownDuration: 120 }),
  );
  assert.deepEqual(converted.providers.map((p) => p.id), ["anthropic", "z-ai-glm", "z-ai-glm-2"]);
  assert.equal(converted.providers[1].baseUrl, "https://api.z.ai/api/anthropic");
  assert.deepEqual(converted.providers[1].keys, ["zai-key-123"]);
  assert.deepEqual(converted.providers[1].modelMap, { "claude-sonnet-4-5": "glm-4.6" });
  assert.equal(converted.providers[2].enabled, false);
  assert.deepEqual(converted.providers[2].headers, { "x-extra": "1" });
  assert.equal(converted.cooldownSeconds, 120);
  const noPrimary = ConfigSchema.parse(
    convertLegacyConfig({ providers: legacy, anthropicPrimaryDisabled: true }),
  );
  assert.equal(noPrimary.providers[0].id, "z-ai-glm");
});

Deno.test("masking: keys never shown whole; masked edits keep the stored key", () => {
  const key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz";
  const masked = maskKey(key);
  assert.ok(isMasked(masked));
  assert.ok(!masked.includes("abcdefghijklmnop"));
  assert.equal(maskKey("short"), "…");
  const stored = { providers: [{ id: "zai", keys: [key, "another-key-0123456789abcd"] }] };
  const shown = maskConfig(stored);
  assert.ok(!JSON.stringify(shown).includes(key));
  const { config, errors } = unmaskKeys(
    {
      providers: [{
        id: "zai",
        type: "anthropic",
        baseUrl: "https://z.example",
        keys: [maskKey("another-key-0123456789abcd"), masked, "new-key"],
      }],
    },
    stored,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(config.providers![0].keys, ["another-key-0123456789abcd", key, "new-key"]);
  const unknown = unmaskKeys({
    providers: [{
      id: "zai",
      type: "anthropic",
      baseUrl: "https://z.example",
      keys: ["sk-zzz…9999"],
    }],
  }, stored);
  assert.equal(unknown.errors.length, 1);
  assert.deepEqual(unknown.errors[0].path, ["providers", 0, "keys", 0]);
});

Deno.test("env: defaults and readable errors", () => {
  const env = readEnv({});
  assert.equal(env.PORT, 8000);
  assert.equal(env.KV_PATH, "./data/detour.kv");
  assert.deepEqual(env.ACCESS_KEYS, []);
  assert.deepEqual(
    readEnv({ ACCESS_KEYS: " a-long-access-key-1 , b-long-access-key-2," }).ACCESS_KEYS,
    [
      "a-long-access-key-1",
      "b-long-access-key-2",
    ],
  );
  assert.throws(() => readEnv({ PORT: "nope", ADMIN_TOKEN: "short" }), /PORT[\s\S]*ADMIN_TOKEN/);
});

Deno.test("stream end: only a whole final event counts", async () => {
  const { lastEventType } = await import("../lib/http/sse_guard.ts");
  const stop = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
  assert.equal(lastEventType(`data: {}\n\n${stop}`), "message_stop");
  assert.equal(lastEventType(`x\n\ndata: {"type":"message_stop"}\n\n`), "message_stop");
  assert.equal(lastEventType(`x\n\nevent: error\ndata: {"type":"error"}\n\n`), "error");
  // Text that mentions the event, cut before the stream really ended.
  const delta = 'event: content_block_delta\ndata: {"delta":{"text":"event: message_stop"}}\n\n';
  assert.equal(lastEventType(`x\n\n${delta}`), "content_block_delta");
  assert.equal(lastEventType(`x\n\n${stop.slice(0, -1)}`), null);
  assert.equal(lastEventType(stop), null);
});

Deno.test("redaction: credential-like strings never reach logs or error text", async () => {
  const { redactSecrets } = await import("../lib/http/redact.ts");
  const cases = [
    "Incorrect API key provided: sk-proj-abc123def456ghi789jkl",
    "invalid x-api-key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "The security token AKIAABCDEFGHIJKLMNOP is invalid",
    "Authorization: Bearer ya29.a0AfH6SMBabcdefghijk",
    "token 0123456789abcdef0123456789abcdef0123 rejected",
    "key sk-zai…utsr refused",
  ];
  for (const text of cases) {
    const out = redactSecrets(text);
    assert.ok(out.includes("[redacted]"), out);
    assert.ok(
      !/sk-proj-abc|AAAAAAAAAAAA|AKIAABCD|ya29\.a0|0123456789abcdef0123|sk-zai/.test(out),
      out,
    );
  }
  assert.equal(redactSecrets("Overloaded"), "Overloaded");
  assert.equal(
    redactSecrets("messages.1.content: Input should be a valid list"),
    "messages.1.content: Input should be a valid list",
  );
});
