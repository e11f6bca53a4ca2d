/** The admin page's pure logic: the draft <-> config round trip, error paths, inline checks. */
import assert from "node:assert/strict";
import { extraProviderFields } from "../lib/admin/field_catalog.ts";
import { jsonForHtml } from "../lib/admin/page_data.ts";
import { maskConfig } from "../lib/config/mask.ts";
import { ConfigSchema, SECRET_FIELDS } from "../lib/config/schema.ts";
import {
  type Draft,
  fieldKeyForIssue,
  fromConfig,
  newUid,
  toConfig,
  uniqueId,
  validate,
} from "../islands/parts/draft.ts";
import { connectEnv } from "../islands/Connect.tsx";

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
  assert.deepEqual(p.headers, { "x-extra": "v", "x-two": "2" });
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
