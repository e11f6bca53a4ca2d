/** The admin page's pure logic: the draft <-> config round trip, error paths, inline checks. */
import assert from "node:assert/strict";
import { extraProviderFields } from "../lib/admin/field_catalog.ts";
import { jsonForHtml } from "../lib/admin/page_data.ts";
import { maskConfig } from "../lib/config/mask.ts";
import { ConfigSchema, SECRET_FIELDS } from "../lib/config/schema.ts";
import {
  captureUntil,
  type Draft,
  emptyQuota,
  fromConfig,
  newUid,
  toConfig,
  uniqueId,
  WEEK_DAYS,
} from "../islands/parts/draft.ts";
import { fieldKeyForIssue, validate } from "../islands/parts/validate_draft.ts";
import { connectEnv } from "../islands/Connect.tsx";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { WEEK_DAYS as SCHEMA_WEEK_DAYS } from "../lib/config/fields/usage.ts";
import { LIMITS, type Range } from "../lib/config/rules.ts";
import type { PageData } from "../lib/admin/page_data.ts";
import type { QuotaStatus } from "../islands/parts/store.ts";
import { createStore } from "../islands/parts/store.ts";
import { formatCount, quotaView, usageText, utcTime } from "../islands/parts/ui.tsx";
import { compactTokens } from "../islands/parts/provider_editor.tsx";
import Chain from "../islands/Chain.tsx";
import Settings from "../islands/Settings.tsx";

const CONFIG = ConfigSchema.parse({
  providers: [
    { id: "anthropic", type: "anthropic", baseUrl: "https://api.anthropic.com", passthrough: true },
    {
      id: "zai",
      name: "Z.AI",
      type: "anthropic",
      baseUrl: "https://api.z.ai/api/anthropic",
      keys: ["sk-zai-0123456789abcdefghijklmnop", "sk-zai-second-0123456789abcdefgh"],
      authHeader: "authorization",
      headers: { "x-extra": "v" },
      modelMap: { "claude-*haiku*": "glm-4.5-air", "*": "glm-4.6" },
      timeoutMs: 5000,
    },
    {
      id: "br",
      type: "bedrock",
      baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
      region: "us-east-1",
      awsAccessKeyId: "AKIAABCDEFGHIJKLMNOP",
      awsSecretAccessKey: "aws-secret-0123456789abcdefghijklmnop",
      enabled: false,
    },
  ],
  cooldownSeconds: 30,
});

const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === "object"
    ? Object.fromEntries(
      Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)]),
    )
    : v;

Deno.test("draft round trip: the masked config comes back unchanged, unknown fields included", () => {
  const masked = maskConfig(CONFIG);
  const { body } = toConfig(fromConfig(masked));
  assert.deepEqual(sorted(body), sorted(masked));
  // And it is what the server accepts as "keep every stored secret".
  assert.ok(JSON.stringify(body).includes("aws-se…mnop"));
  assert.ok(!JSON.stringify(body).includes("0123456789abcdefghijklmnop"));
});

Deno.test("draft: new keys, empty rows, numbers and settings become the API's JSON", () => {
  const d = fromConfig(maskConfig(CONFIG));
  const zai = d.providers[1];
  zai.keys.push({ uid: newUid(), value: "  sk-new-key  ", stored: false });
  zai.keys.push({ uid: newUid(), value: "", stored: false });
  zai.modelMap.push({ uid: newUid(), a: "", b: "" });
  zai.headers.push({ uid: newUid(), a: " x-two ", b: "2" });
  zai.timeoutMs = "";
  zai.cooldownSeconds = "15";
  d.settings.fallbackOn = "429,  529 500";
  const { body, sent } = toConfig(d);
  const p = (body.providers as Record<string, unknown>[])[1];
  assert.deepEqual(p.keys, ["sk-zai…mnop", "sk-zai…efgh", "sk-new-key"]);
  // A stored header value arrives masked and goes back masked (the server keeps the stored one).
  assert.deepEqual(p.headers, { "x-extra": "…", "x-two": "2" });
  assert.equal(Object.keys(p.modelMap as object).length, 2);
  assert.equal("timeoutMs" in p, false);
  assert.equal(p.cooldownSeconds, 15);
  assert.deepEqual(body.fallbackOn, [429, 529, 500]);
  assert.equal(sent.providers[1].keys.length, 3);
});

Deno.test("server issue paths land on the right field", () => {
  const d = fromConfig(maskConfig(CONFIG));
  const zai = d.providers[1];
  zai.keys.unshift({ uid: "fresh", value: "", stored: false }); // empty: not sent
  const { sent } = toConfig(d);
  const uid = zai.uid;
  assert.equal(fieldKeyForIssue("providers.1.baseUrl", sent), `${uid}.baseUrl`);
  assert.equal(fieldKeyForIssue("providers.1.keys.0", sent), `${uid}.keys.${zai.keys[1].uid}`);
  assert.equal(fieldKeyForIssue("providers.1.keys", sent), `${uid}.keys`);
  assert.equal(
    fieldKeyForIssue("providers.1.modelMap.claude-*haiku*", sent),
    `${uid}.modelMap.${zai.modelMap[0].uid}`,
  );
  assert.equal(
    fieldKeyForIssue("providers.1.headers.X-Extra", sent),
    `${uid}.headers.${zai.headers[0].uid}`,
  );
  assert.equal(fieldKeyForIssue("providers.1.headers", sent), `${uid}.headers`);
  assert.equal(
    fieldKeyForIssue("providers.2.awsSecretAccessKey", sent),
    `${d.providers[2].uid}.awsSecretAccessKey`,
  );
  assert.equal(fieldKeyForIssue("providers.1", sent), `${uid}._`);
  assert.equal(fieldKeyForIssue("providers.9.id", sent), "providers");
  assert.equal(fieldKeyForIssue("fallbackOn.2", sent), "settings.fallbackOn");
  assert.equal(fieldKeyForIssue("cooldownSeconds", sent), "settings.cooldownSeconds");
  assert.equal(fieldKeyForIssue("somethingElse", sent), "_");
});

Deno.test("inline validation mirrors the schema and catches dead rows", () => {
  const d: Draft = fromConfig(maskConfig(CONFIG));
  const [a, z] = d.providers;
  assert.deepEqual(validate(d).errors, {});
  z.id = "anthropic";
  a.baseUrl = "api.anthropic.com";
  z.authHeader = "bad header";
  z.timeoutMs = "5.5";
  z.modelMap.push({ uid: "m-dup", a: "*", b: "x" }, { uid: "m-half", a: "fast", b: "" });
  z.headers.push({ uid: "h-host", a: "Host", b: "x" }, { uid: "h-bad", a: "a b", b: "" });
  d.settings.fallbackOn = "429, 200";
  d.settings.bodyLimitBytes = "";
  const { errors, warnings } = validate(d);
  assert.match(errors[`${z.uid}.id`], /already uses "anthropic"/);
  assert.match(errors[`${a.uid}.baseUrl`], /full URL/);
  assert.match(errors[`${z.uid}.authHeader`], /header name/);
  assert.match(errors[`${z.uid}.timeoutMs`], /whole number/);
  assert.match(errors[`${z.uid}.modelMap.m-dup`], /already mapped/);
  assert.match(errors[`${z.uid}.modelMap.m-half`], /upstream model/);
  assert.match(errors[`${z.uid}.headers.h-host`], /set by Detour/);
  assert.match(errors[`${z.uid}.headers.h-bad`], /not a valid header name/);
  assert.match(errors["settings.fallbackOn"], /"200"/);
  assert.match(errors["settings.bodyLimitBytes"], /required/);
  z.modelMap = [{ uid: "s", a: "*", b: "x" }, { uid: "t", a: "claude-x", b: "y" }];
  assert.match(validate(d).warnings[`${z.uid}.modelMap.t`], /never used/);
  z.keys = [{ uid: "r", value: "", stored: false, was: "sk-zai…mnop" }];
  assert.match(validate(d).warnings[`${z.uid}.keys.r`], /stored key sk-zai…mnop is removed/);
  assert.ok(warnings);
});

Deno.test("new ids from presets are unique slugs", () => {
  assert.equal(uniqueId("zai", ["anthropic"]), "zai");
  assert.equal(uniqueId("zai", ["zai", "zai-2"]), "zai-3");
  assert.equal(uniqueId("Custom Thing!", []), "custom-thing");
});

Deno.test("the field catalog knows other types' fields, and which are secret", () => {
  const fields = extraProviderFields();
  for (const secret of SECRET_FIELDS) {
    assert.equal(fields.find((f) => f.name === secret)?.secret, true, secret);
  }
  assert.ok(!fields.some((f) => ["id", "keys", "baseUrl", "modelMap"].includes(f.name)));
  for (const f of fields) {
    assert.ok(["string", "number", "boolean", "enum", "json"].includes(f.kind));
  }
});

Deno.test("page data JSON cannot close its script tag", () => {
  const json = jsonForHtml({ x: "</script><script>alert(1)</script>", y: "a&b\u2028" });
  assert.ok(!json.includes("<") && !json.includes(">") && !json.includes("&"));
  assert.deepEqual(JSON.parse(json), { x: "</script><script>alert(1)</script>", y: "a&b\u2028" });
});

Deno.test("Connect Claude Code lines: base URL, access key header, no nonessential traffic", () => {
  assert.deepEqual(connectEnv("https://detour.example", "dtr_abc"), [
    ["ANTHROPIC_BASE_URL", "https://detour.example"],
    ["ANTHROPIC_CUSTOM_HEADERS", "x-detour-key: dtr_abc"],
    ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"],
  ]);
  assert.deepEqual(connectEnv("http://localhost:8000", null).map(([k]) => k), [
    "ANTHROPIC_BASE_URL",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Issue 6: quotas in the provider editor; circuit breaker, request log and webhook in Settings.

const OPS_CONFIG = ConfigSchema.parse({
  providers: [
    {
      id: "zai",
      type: "anthropic",
      baseUrl: "https://api.z.ai/api/anthropic",
      keys: ["sk-zai-0123456789abcdefghijklmnop"],
      quota: { tokens: 5_000_000, period: "week", weekStartsOn: "sunday", perKey: true },
    },
    { id: "plain", type: "anthropic", baseUrl: "https://api.anthropic.com", passthrough: true },
  ],
  circuitBreaker: { degradedAfter: 2, openAfter: 4, openSeconds: 30 },
  requestLog: { maxEntries: 100, debugBodiesUntil: "2026-01-08T10:00:00.000Z" },
  webhook: { url: "https://hooks.slack.com/services/T000/B000/secret-token", burstFallbacks: 3 },
});

Deno.test("draft round trip keeps quota, circuit breaker, request log and the masked webhook", () => {
  const masked = maskConfig(OPS_CONFIG);
  const d = fromConfig(masked);
  assert.equal(d.providers[0].quota?.tokens, "5000000");
  assert.equal(d.providers[1].quota, null);
  assert.equal(d.webhook.url, "https://hooks.slack.com/…");
  assert.ok(!("webhook" in d.extra) && !("circuitBreaker" in d.extra));
  const { body } = toConfig(d);
  assert.deepEqual(sorted(body), sorted(masked));
  assert.ok(!JSON.stringify(body).includes("secret-token"));
  assert.deepEqual(validate(d).errors, {});
});

Deno.test("draft: set and clear a quota, blank optional numbers, clearing the webhook URL", () => {
  const d = fromConfig(maskConfig(OPS_CONFIG));
  d.providers[1].quota = { ...emptyQuota(), tokens: " 1000 ", thresholdPercent: "80.5" };
  d.providers[0].quota = null;
  d.circuitBreaker.openSeconds = "";
  d.requestLog.debugBodiesUntil = "";
  d.webhook.url = "  ";
  const { body } = toConfig(d);
  const [zai, plain] = body.providers as Record<string, unknown>[];
  assert.equal("quota" in zai, false);
  assert.deepEqual(plain.quota, {
    tokens: 1000,
    period: "day",
    weekStartsOn: "monday",
    thresholdPercent: 80.5,
    perKey: false,
  });
  assert.deepEqual(body.circuitBreaker, { enabled: true, degradedAfter: 2, openAfter: 4 });
  assert.deepEqual(body.requestLog, { maxEntries: 100, debugBodyBytes: 4096 });
  assert.equal("webhook" in body, false);
  // What the server makes of it: the quota gets its defaults, the webhook is gone.
  const parsed = ConfigSchema.parse({ ...body, providers: [plain] });
  assert.equal(parsed.webhook, undefined);
  assert.equal(parsed.providers[0].quota?.tokens, 1000);
  assert.match(validate(d).warnings["webhook.url"], /webhook is removed/);
});

Deno.test("server issues about quotas and the ops settings land on their fields", () => {
  const d = fromConfig(maskConfig(OPS_CONFIG));
  const { sent } = toConfig(d);
  const uid = d.providers[0].uid;
  assert.equal(fieldKeyForIssue("providers.0.quota.tokens", sent), `${uid}.quota.tokens`);
  assert.equal(fieldKeyForIssue("providers.0.quota", sent), `${uid}.quota`);
  assert.equal(fieldKeyForIssue("circuitBreaker.openAfter", sent), "circuitBreaker.openAfter");
  assert.equal(
    fieldKeyForIssue("requestLog.debugBodiesUntil", sent),
    "requestLog.debugBodiesUntil",
  );
  assert.equal(fieldKeyForIssue("webhook.url", sent), "webhook.url");
  assert.equal(fieldKeyForIssue("webhook", sent), "webhook");
});

Deno.test("inline checks: quota, circuit breaker, request log, webhook", () => {
  const d = fromConfig(maskConfig(OPS_CONFIG));
  const q = d.providers[0].quota!;
  const uid = d.providers[0].uid;
  q.tokens = "1.5";
  q.thresholdPercent = "0";
  q.period = "year";
  d.circuitBreaker.degradedAfter = "6";
  d.circuitBreaker.openSeconds = "0";
  d.requestLog.maxEntries = "-1";
  d.requestLog.debugBodyBytes = "10";
  d.webhook.url = "hooks.slack.com/x";
  d.webhook.timeoutMs = "50";
  let { errors } = validate(d);
  assert.match(errors[`${uid}.quota.tokens`], /whole number of tokens/);
  assert.match(errors[`${uid}.quota.thresholdPercent`], /between 1 and 100/);
  assert.match(errors[`${uid}.quota.period`], /day, week or month/);
  assert.match(errors["circuitBreaker.openAfter"], /at least "degraded after" \(6\)/);
  assert.match(errors["circuitBreaker.openSeconds"], /between 1 and 86400/);
  assert.match(errors["requestLog.maxEntries"], /between 0 and 100000/);
  assert.match(errors["requestLog.debugBodyBytes"], /between 256 and 65536/);
  assert.match(errors["webhook.url"], /http:\/\/ or https:\/\//);
  assert.match(errors["webhook.timeoutMs"], /between 100 and 30000/);
  // A blank budget only says "required" (hidden until a save is tried).
  q.tokens = "";
  d.webhook.url = "https://example.com/hook";
  ({ errors } = validate(d));
  assert.match(errors[`${uid}.quota.tokens`], /is required$/);
  assert.equal(errors["webhook.url"], undefined);
  // A masked URL typed over is no longer the stored one: it must be a real URL.
  d.webhook.url = "https://hooks.slack.com/…x";
  assert.equal(validate(d).errors["webhook.url"], undefined);
  d.webhook.url = "…";
  assert.match(validate(d).errors["webhook.url"], /full http/);
});

Deno.test("the page's week days are the schema's; debug capture ends N minutes from now", () => {
  assert.deepEqual([...WEEK_DAYS], [...SCHEMA_WEEK_DAYS]);
  assert.equal(captureUntil(30, Date.UTC(2026, 0, 8, 9, 45)), "2026-01-08T10:15:00.000Z");
});

/** One edit of a draft, and whether the rules accept it. */
type Sample = [label: string, edit: (d: Draft) => void, ok: boolean];

/** Samples at each bound of a range: just outside (refused) and on it (accepted). */
function edges(label: string, range: Range, set: (d: Draft, v: string) => void): Sample[] {
  return [
    [`${label} ${range.min - 1}`, (d) => set(d, String(range.min - 1)), false],
    [`${label} ${range.min}`, (d) => set(d, String(range.min)), true],
    [`${label} ${range.max}`, (d) => set(d, String(range.max)), true],
    [`${label} ${range.max + 1}`, (d) => set(d, String(range.max + 1)), false],
  ];
}

function ruleSamples(): Sample[] {
  const zai = (d: Draft) => d.providers[0];
  const row = (a: string, b: string) => ({ uid: newUid(), a, b });
  const samples: Sample[] = [
    ...["zai-2", "a_b", "a".repeat(63)].map((id): Sample => [`id ${id}`, (d) => {
      zai(d).id = id;
    }, true]),
    ...["Zai", "-x", "a".repeat(64), "a:b"].map((id): Sample => [`id ${id}`, (d) => {
      zai(d).id = id;
    }, false]),
    ["auth header x-key", (d) => void (zai(d).authHeader = "x-key"), true],
    ["auth header with a space", (d) => void (zai(d).authHeader = "bad header"), false],
    ["header x-a", (d) => void zai(d).headers.push(row("x-a", "v")), true],
    ["header value with a tab", (d) => void zai(d).headers.push(row("x-a", "a\tb")), true],
    ["header value ending in a newline", (d) => void zai(d).headers.push(row("x-a", "v\n")), true],
    ["header value with CR/LF", (d) => void zai(d).headers.push(row("x-a", "a\r\nb")), false],
    ["header value with NUL", (d) => void zai(d).headers.push(row("x-a", "a\u0000")), false],
    ["reserved header Host", (d) => void zai(d).headers.push(row("Host", "x")), false],
    ["header name a:b", (d) => void zai(d).headers.push(row("a:b", "x")), false],
    ["key", (d) => void zai(d).keys.push({ uid: newUid(), value: "sk-new", stored: false }), true],
    ["key with LF", (d) => {
      zai(d).keys.push({ uid: newUid(), value: "sk-a\nsk-b", stored: false });
    }, false],
    ["key with DEL", (d) => {
      zai(d).keys.push({ uid: newUid(), value: "sk-a\u007f", stored: false });
    }, false],
    ["provider timeout 5.5", (d) => void (zai(d).timeoutMs = "5.5"), false],
    ...edges("provider timeout", LIMITS.provider.timeoutMs, (d, v) => void (zai(d).timeoutMs = v)),
    ...edges("provider cooldown", LIMITS.provider.cooldownSeconds, (d, v) => {
      zai(d).cooldownSeconds = v;
    }),
    ...edges("quota tokens", LIMITS.quota.tokens, (d, v) => void (zai(d).quota!.tokens = v)),
    ...edges("quota threshold", LIMITS.quota.thresholdPercent, (d, v) => {
      zai(d).quota!.thresholdPercent = v;
    }),
    ["quota threshold 80.5", (d) => void (zai(d).quota!.thresholdPercent = "80.5"), true],
    ...[...WEEK_DAYS, "funday", "Monday"].map((day): Sample => [`week starts on ${day}`, (d) => {
      zai(d).quota!.weekStartsOn = day;
    }, (WEEK_DAYS as readonly string[]).includes(day)]),
    ...["day", "week", "month", "year"].map((period): Sample => [`period ${period}`, (d) => {
      zai(d).quota!.period = period;
    }, period !== "year"]),
    ["fallback on 429, 503", (d) => void (d.settings.fallbackOn = "429, 503"), true],
    ["fallback on 399", (d) => void (d.settings.fallbackOn = "399"), false],
    ["fallback on 600", (d) => void (d.settings.fallbackOn = "429 600"), false],
  ];
  const settings = [
    "cooldownSeconds",
    "authCooldownSeconds",
    "timeoutMs",
    "nonStreamingTimeoutMs",
    "bodyLimitBytes",
  ] as const;
  for (const f of settings) {
    samples.push(...edges(f, LIMITS.config[f], (d, v) => void (d.settings[f] = v)));
  }
  // openAfter may not be below degradedAfter: both move together.
  samples.push(...edges("failure counts", LIMITS.circuitBreaker.degradedAfter, (d, v) => {
    d.circuitBreaker.degradedAfter = d.circuitBreaker.openAfter = v;
  }));
  samples.push(...edges("open seconds", LIMITS.circuitBreaker.openSeconds, (d, v) => {
    d.circuitBreaker.openSeconds = v;
  }));
  samples.push(["open after below degraded after", (d) => {
    d.circuitBreaker.degradedAfter = "5";
    d.circuitBreaker.openAfter = "4";
  }, false]);
  for (const f of ["maxEntries", "debugBodyBytes"] as const) {
    samples.push(...edges(f, LIMITS.requestLog[f], (d, v) => void (d.requestLog[f] = v)));
  }
  for (
    const f of ["burstFallbacks", "burstWindowSeconds", "minIntervalSeconds", "timeoutMs"] as const
  ) {
    samples.push(...edges(`webhook ${f}`, LIMITS.webhook[f], (d, v) => void (d.webhook[f] = v)));
  }
  return samples;
}

Deno.test("the page's inline checks and the server's schema agree on sample inputs", () => {
  // Both read lib/config/rules.ts; this checks they apply it alike, at each edge.
  const field = (key: string) => key.split(".").slice(0, 2).join(".");
  for (const [label, edit, ok] of ruleSamples()) {
    const d = fromConfig(maskConfig(OPS_CONFIG));
    edit(d);
    const page = [...new Set(Object.keys(validate(d).errors).map(field))].sort();
    const { body, sent } = toConfig(d);
    const parsed = ConfigSchema.safeParse(body);
    const server = parsed.success ? [] : [
      ...new Set(
        parsed.error.issues.map((i) => field(fieldKeyForIssue(i.path.map(String).join("."), sent))),
      ),
    ].sort();
    assert.deepEqual(page, server, `${label}: page ${page}, server ${server}`);
    assert.equal(page.length === 0, ok, `${label}: expected ${ok ? "accepted" : "refused"}`);
  }
});

const QUOTA: QuotaStatus = {
  target: "p:zai",
  tokens: 1000,
  used: 450,
  percent: 45,
  thresholdPercent: 90,
  period: "day",
  periodStart: "2026-01-08T00:00:00.000Z",
  resetsAt: "2026-01-09T00:00:00.000Z",
  exhausted: false,
};

Deno.test("quota bar geometry and state; number and time formats", () => {
  const now = Date.parse("2026-01-08T12:00:00Z");
  assert.deepEqual(quotaView(QUOTA, now), { fill: 45, mark: 90, exhausted: false, near: false });
  assert.equal(quotaView({ ...QUOTA, used: 850, percent: 85 }, now)?.near, true);
  const over = { ...QUOTA, used: 1500, percent: 150, exhausted: true };
  assert.deepEqual(quotaView(over, now), { fill: 100, mark: 90, exhausted: true, near: false });
  // A status read before the reset but shown after it: not exhausted any more.
  assert.equal(quotaView(over, Date.parse("2026-01-09T00:00:01Z"))?.exhausted, false);
  assert.equal(quotaView(null, now), null);
  assert.equal(formatCount(1234567), "1,234,567");
  assert.equal(utcTime("2026-01-09T00:00:00.000Z"), "2026-01-09 00:00 UTC");
  assert.equal(compactTokens(5_000_000), "5 M");
  assert.equal(compactTokens(1500), "1.5 k");
  const counts = { requests: 2, input: 1200, output: 30, cache_read: 7, cache_write: 3 };
  assert.equal(
    usageText({ today: counts, hour: counts }),
    "2 requests · 1,200 in · 30 out · 7 cache read · 3 cache write",
  );
  assert.equal(usageText(null), "no requests yet today");
});

/** Page data as loadPageData gives it, for a server render without a server. */
function pageData(status: Partial<PageData["status"]["providers"][number]>): PageData {
  const config = maskConfig(OPS_CONFIG);
  return {
    config,
    version: "1",
    status: {
      providers: [{
        id: "zai",
        name: "zai",
        type: "anthropic",
        enabled: true,
        passthrough: false,
        cooling: null,
        circuit: { state: "closed", failures: 0, openedAt: null, probeAfter: null },
        clientCredentialsCooling: 0,
        quota: null,
        usage: null,
        keys: [],
        ...status,
      }],
      billing: undefined,
      models: {},
    } as unknown as PageData["status"],
    accessKeys: [],
    accessKeysExist: false,
    presets: [],
    providerTypes: ["anthropic"],
    secretFields: [...SECRET_FIELDS],
    extraFields: [],
    baseUrl: "http://localhost:8000",
    csrf: "x",
    now: "2026-01-08T12:00:00.000Z",
  };
}

Deno.test("server render (no JavaScript): quota bars, exhausted state, today's usage", () => {
  const counts = { requests: 3, input: 30, output: 15, cache_read: 0, cache_write: 0 };
  const html = renderToString(
    h(Chain, {
      store: createStore(pageData({
        usage: { today: counts, hour: counts },
        quota: { ...QUOTA, used: 950, percent: 95, exhausted: true },
        keys: [{
          label: "zai#1",
          key: "sk-zai…mnop",
          cooling: null,
          quota: QUOTA,
          usage: null,
        }] as unknown as PageData["status"]["providers"][number]["keys"],
      })),
    }),
  );
  assert.match(html, /950 \/ 1,000 tokens/);
  assert.match(html, /Quota reached: skipped until.*2026-01-09 00:00 UTC.*in 12 h/);
  assert.match(html, /quota reached: skipped/); // the badge
  assert.match(html, /width="95"/); // the bar, drawn without inline styles
  assert.match(html, /x1="90"/); // the threshold marker
  assert.ok(!/style=/.test(html), "no inline style (CSP)");
  assert.match(html, /data-quota="zai#1"/);
  assert.match(html, /450 \/ 1,000 tokens/);
  assert.match(html, /3 requests · 30 in · 15 out/);
});

Deno.test("server render of Settings: capture on until a time, the webhook masked", () => {
  const html = renderToString(h(Settings, { store: createStore(pageData({})) }));
  // debugBodiesUntil is 10:00 and the page was read at 12:00: off, ended 2 h ago.
  assert.match(html, /Off\..*The last capture ended 2 h ago/);
  assert.match(html, /value="https:\/\/hooks.slack.com\/…"/);
  assert.ok(!html.includes("secret-token"));
  const data = pageData({});
  data.now = "2026-01-08T09:30:00.000Z";
  const on = renderToString(h(Settings, { store: createStore(data) }));
  assert.match(on, /data-capture="on"/);
  assert.match(on, /until.*10:00:00 UTC.*in 30 min/);
  assert.match(on, /Stop capture/);
});

Deno.test("settings: attempts per request are edited, checked against the schema's bounds and sent", () => {
  const d = fromConfig(maskConfig(CONFIG));
  assert.equal(d.settings.maxAttempts, "6");
  d.settings.maxAttempts = "0";
  assert.match(validate(d).errors["settings.maxAttempts"], /attempts per request/);
  d.settings.maxAttempts = "12";
  assert.equal(validate(d).errors["settings.maxAttempts"], undefined);
  const { body } = toConfig(d);
  assert.equal(body.maxAttempts, 12);
  assert.equal(ConfigSchema.parse(body).maxAttempts, 12);
});
