/** The config's plain rules, the did-you-mean hint, and the lenient reading of a stored config. */
import assert from "node:assert/strict";
import {
  hasControlChars,
  headerValueHasControlChars,
  isReservedHeader,
  LIMITS,
  SLUG,
  WEEK_DAYS,
} from "../lib/config/rules.ts";
import { closestName, editDistance } from "../lib/config/did_you_mean.ts";
import {
  configIssues,
  knownFieldsAt,
  parseStoredConfig,
  unknownFieldMessage,
} from "../lib/config/issues.ts";
import { ConfigSchema, ProviderSchema } from "../lib/config/schema.ts";
import { PRESETS } from "../lib/config/presets.ts";

Deno.test("rules: control characters in keys and header values", () => {
  assert.equal(hasControlChars("sk-ant-api03-abc"), false);
  for (const bad of ["a\rb", "a\nb", "a\tb", "a\u0000", "\u007f", "a\u001bb"]) {
    assert.equal(hasControlChars(bad), true, JSON.stringify(bad));
  }
  // Header values may hold a tab, and may end in whitespace fetch strips anyway.
  for (const ok of ["plain", "a\tb", "v\n", "\r\n v \r\n", "é"]) {
    assert.equal(headerValueHasControlChars(ok), false, JSON.stringify(ok));
  }
  for (const bad of ["a\r\nb", "a\nb", "a\u0000b", "a\u0001b", "a\u007fb"]) {
    assert.equal(headerValueHasControlChars(bad), true, JSON.stringify(bad));
  }
});

Deno.test("rules: slugs, reserved headers, week days and bounds are what the schema enforces", () => {
  assert.ok(SLUG.test("zai-2") && !SLUG.test("Zai") && !SLUG.test("a".repeat(64)));
  assert.ok(isReservedHeader("Content-Length") && !isReservedHeader("x-api-key"));
  assert.equal(WEEK_DAYS[0], "sunday");
  const { min, max } = LIMITS.provider.timeoutMs;
  const at = (timeoutMs: number) =>
    ProviderSchema.safeParse({
      id: "a",
      type: "anthropic",
      baseUrl: "https://x.example",
      timeoutMs,
    })
      .success;
  assert.deepEqual([at(min - 1), at(min), at(max), at(max + 1)], [false, true, true, false]);
});

Deno.test("did you mean: case, small typos and swaps; nothing for unrelated names", () => {
  const known = ["timeoutMs", "cooldownSeconds", "fallbackOn", "keys", "id"];
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("ab", "ba"), 1);
  assert.equal(closestName("timeoutMS", known), "timeoutMs");
  assert.equal(closestName("fallbackon", known), "fallbackOn");
  assert.equal(closestName("cooldownSecnds", known), "cooldownSeconds");
  assert.equal(closestName("keyz", known), "keys");
  assert.equal(closestName("timeout", known), "timeoutMs");
  assert.equal(closestName("region", known), null);
  assert.equal(closestName("ix", known), "id");
  assert.equal(closestName("xy", known), null);
  assert.equal(unknownFieldMessage("zzz", known), "unknown field `zzz`");
});

Deno.test("config issues: one per unknown field at its own path; known fields found by path", () => {
  assert.ok(knownFieldsAt(ConfigSchema, []).includes("fallbackOn"));
  assert.ok(knownFieldsAt(ConfigSchema, ["providers", 0]).includes("awsAccessKeyId"));
  assert.ok(knownFieldsAt(ConfigSchema, ["providers", 0, "quota"]).includes("perKey"));
  assert.ok(knownFieldsAt(ConfigSchema, ["requestLog"]).includes("maxEntries"));
  assert.deepEqual(knownFieldsAt(ConfigSchema, ["providers", 0, "headers"]), []);
  const parsed = ConfigSchema.safeParse({
    providers: [{ id: "a", type: "anthropic", baseUrl: "https://x.example", Keys: [], foo: 1 }],
    timeoutMS: 5000,
  });
  assert.ok(!parsed.success);
  assert.deepEqual(configIssues(parsed.error), [
    { path: "providers.0.Keys", message: "unknown field `Keys`: did you mean `keys`?" },
    { path: "providers.0.foo", message: "unknown field `foo`" },
    { path: "timeoutMS", message: "unknown field `timeoutMS`: did you mean `timeoutMs`?" },
  ]);
});

Deno.test("a stored config: unknown fields and unsendable values left out; other errors stay errors", () => {
  const provider = { id: "z", type: "anthropic", baseUrl: "https://x.example" };
  const stored = {
    providers: [{
      ...provider,
      keys: ["sk-a\nb", "sk-good", "sk-c\r\nd"],
      headers: { "x-a": "1\n2", "x-b": "ok" },
      newField: 1,
    }],
    newTopLevel: { a: 1 },
  };
  const read = parseStoredConfig(stored);
  assert.ok(!("error" in read));
  assert.deepEqual(read.config.providers[0].keys, ["sk-good"]);
  assert.deepEqual(read.config.providers[0].headers, { "x-b": "ok" });
  assert.deepEqual(read.ignored.sort(), [
    "newTopLevel",
    "providers.0.headers.x-a",
    "providers.0.keys.0",
    "providers.0.keys.2",
    "providers.0.newField",
  ]);
  assert.ok(!JSON.stringify(read.ignored).includes("sk-"), "paths only, never values");
  assert.equal(stored.providers[0].keys.length, 3, "the input is not changed");
  const invalid = parseStoredConfig({ providers: [{ ...provider, timeoutMs: 1 }], extra: 1 });
  assert.ok("error" in invalid);
  assert.match(invalid.error, /providers\.0\.timeoutMs/);
  assert.deepEqual(parseStoredConfig({ providers: [provider] }), {
    config: ConfigSchema.parse({ providers: [provider] }),
    ignored: [],
  });
});

Deno.test("every preset fills in and asks for known provider fields only (strict config)", () => {
  const known = knownFieldsAt(ConfigSchema, ["providers", 0]);
  for (const preset of PRESETS) {
    for (const field of [...Object.keys(preset.provider), ...preset.fields]) {
      assert.ok(known.includes(field), `${preset.id}: ${field}`);
    }
  }
});
