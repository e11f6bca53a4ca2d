/**
 * The capability profile function (pure), field naming in refusals, Gemini's array-shaped
 * errors, integer bounds in Gemini schema reduction, and the DeepSeek V4 thinking switch.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { type ProviderInput, ProviderSchema } from "../lib/config/schema.ts";
import { PRESETS } from "../lib/config/presets.ts";
import { applyProfile, profileOf } from "../lib/providers/profile.ts";
import { BUILTIN_PROFILES } from "../lib/providers/profile_presets.ts";
import { allowedBetas } from "../lib/providers/cloud_betas.ts";
import { nameRefusedField, refusedField, withFieldHint } from "../lib/providers/profile_step.ts";
import { reduceSchemaForGemini } from "../lib/repair/schema.ts";
import { anthropicErrorType, errorMessageOf } from "../lib/translate/openai_errors.ts";
import { closeAll, mockUpstream, startDetour } from "./helpers/harness.ts";
import { CLAUDE_CODE_BETAS, claudeCodeBody } from "./helpers/vendor_mocks/claude_code_body.ts";

type Json = Record<string, unknown>;

const provider = (input: Partial<ProviderInput>) =>
  ProviderSchema.parse({ id: "p", type: "anthropic", baseUrl: "http://127.0.0.1:9", ...input });

Deno.test("profileOf: the Anthropic API and unknown hosts get none; known hosts and bases do; overrides win", () => {
  assert.equal(profileOf(provider({ baseUrl: "https://api.anthropic.com" })), null);
  assert.equal(profileOf(provider({})), null);
  assert.equal(profileOf(provider({ profile: { base: "anthropic" } })), null);
  assert.equal(
    profileOf(provider({ baseUrl: "https://api.z.ai/api/anthropic" }))?.unknownFields,
    "drop",
  );
  assert.equal(
    profileOf(
      provider({ baseUrl: "https://api.z.ai/api/anthropic", profile: { base: "anthropic" } }),
    ),
    null,
    "an explicit base overrides the host's",
  );
  const own = profileOf(provider({
    profile: { base: "openrouter", dropFields: ["context_management"], keepFields: ["speed"] },
  }));
  assert.deepEqual(own?.dropFields, ["fallbacks", "context_management"]);
  assert.equal(profileOf(provider({ type: "openai", baseUrl: "https://api.deepseek.com" })), null);
});

Deno.test("applyProfile strict: Claude Code's extras fitted to the core API, inputs untouched", () => {
  const body = claudeCodeBody("m", true);
  const before = structuredClone(body);
  const headers = new Headers({ "anthropic-beta": CLAUDE_CODE_BETAS, "x-app": "cli" });
  const out = applyProfile(BUILTIN_PROFILES.strict, body, headers);
  assert.deepEqual(body, before, "the input body is not changed");
  assert.equal(headers.get("anthropic-beta"), CLAUDE_CODE_BETAS);
  assert.equal(out.headers.get("anthropic-beta"), null);
  assert.equal(out.headers.get("x-app"), "cli");
  for (const f of ["context_management", "output_config", "speed", "fallbacks"]) {
    assert.equal(f in out.body, false, f);
  }
  assert.deepEqual(out.body.thinking, { type: "enabled", budget_tokens: 16000 });
  const system = out.body.system as Json[];
  assert.deepEqual(system[1].cache_control, { type: "ephemeral" });
  const messages = out.body.messages as Json[];
  assert.equal(messages.length, 3, "the system message joined the user turn before it");
  const last = messages[2].content as Json[];
  assert.deepEqual(last.map((b) => b.type), ["tool_result", "text", "text"]);
  assert.equal(last[2].text, "<system>The user switched to plan mode.</system>");
  const tools = out.body.tools as Json[];
  assert.deepEqual(tools.map((t) => t.name), ["Bash", "Grep"]);
  assert.equal("defer_loading" in tools[1], false);
  assert.ok(out.changes.includes("dropped 1 server tool(s)"));
  assert.ok(out.changes.includes("removed 1 tool_reference block(s)"));
  assert.ok(out.changes.some((c) => c.startsWith("dropped betas claude-code-20250219")));
});

Deno.test("applyProfile: small max_tokens drops adaptive thinking; deepseek keeps effort only and drops images; noScope; identity", () => {
  const small = applyProfile({ adaptiveThinking: "enabled" }, {
    model: "m",
    max_tokens: 1000,
    thinking: { type: "adaptive" },
  }, new Headers());
  assert.equal(small.body.thinking, undefined);
  const ds = applyProfile(BUILTIN_PROFILES.deepseek, {
    model: "m",
    output_config: { effort: "high", format: { type: "json_schema" } },
    messages: [{
      role: "user",
      content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "A" } }],
    }],
  }, new Headers({ "anthropic-beta": "x" }));
  assert.deepEqual(ds.body.output_config, { effort: "high" });
  assert.deepEqual((ds.body.messages as Json[])[0].content, [{
    type: "text",
    text: "[content omitted]",
  }]);
  assert.equal(ds.headers.get("anthropic-beta"), "x", "DeepSeek ignores betas: kept");
  const scoped = applyProfile(BUILTIN_PROFILES.bedrock, {
    model: "m",
    system: [{
      type: "text",
      text: "s",
      cache_control: { type: "ephemeral", scope: "g", ttl: "1h" },
    }],
  }, new Headers());
  assert.deepEqual((scoped.body.system as Json[])[0].cache_control, {
    type: "ephemeral",
    ttl: "1h",
  });
  const plain = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
  const headers = new Headers();
  const same = applyProfile(BUILTIN_PROFILES.strict, plain, headers);
  assert.equal(same.body, plain);
  assert.equal(same.headers, headers);
  assert.deepEqual(same.changes, []);
});

Deno.test("applyProfile: system messages join the next user turn when none precedes; no tools left means no tools field", () => {
  const out = applyProfile({ systemMessages: "user", serverTools: "drop" }, {
    model: "m",
    messages: [
      { role: "system", content: [{ type: "text", text: "be brief" }] },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "system", content: "wrap up" },
    ],
    tools: [{ type: "web_search_20250305", name: "web_search" }],
    tool_choice: { type: "auto" },
  }, new Headers());
  assert.deepEqual(out.body.messages, [
    {
      role: "user",
      content: [{ type: "text", text: "<system>be brief</system>" }, { type: "text", text: "hi" }],
    },
    { role: "assistant", content: "hello" },
    { role: "user", content: [{ type: "text", text: "<system>wrap up</system>" }] },
  ]);
  assert.equal("tools" in out.body, false);
  assert.equal("tool_choice" in out.body, false);
});

Deno.test("refusedField and withFieldHint name the field and the rule that drops it", () => {
  const gw = provider({ id: "gw" });
  assert.equal(
    refusedField("context_management: Extra inputs are not permitted"),
    "context_management",
  );
  assert.equal(
    refusedField("system.1.cache_control.scope: Extra inputs are not permitted"),
    "system.1.cache_control.scope",
  );
  assert.equal(
    refusedField("Unrecognized request argument supplied: parallel_tool_calls"),
    "parallel_tool_calls",
  );
  assert.equal(
    refusedField('Invalid JSON payload received. Unknown name "store": Cannot find field.'),
    "store",
  );
  assert.equal(refusedField("unknown field `speed`, expected one of `model`"), "speed");
  assert.equal(
    refusedField("Unexpected value(s) `x` for the `anthropic-beta` header."),
    "anthropic-beta",
  );
  assert.equal(
    refusedField(
      "Malformed input request: #: extraneous key [speed] is not permitted, please reformat your input and try again.",
    ),
    "speed",
  );
  assert.equal(refusedField("max_tokens is too large"), null);
  assert.match(
    withFieldHint("system.1.cache_control.scope: Extra inputs are not permitted", gw),
    /refused the field "system\.1\.cache_control\.scope"; in its capability profile, set "cacheControl" to "basic"/,
  );
  assert.match(
    withFieldHint(
      "Unrecognized request argument supplied: store",
      provider({ type: "openai", id: "o" }),
    ),
    /add "store" to its "dropFields"/,
  );
  assert.equal(withFieldHint("overloaded", gw), "overloaded");
});

Deno.test("a cloud's raw 400 (Bedrock's `message`) is named too; the profile's betas are the cloud's beta list", async () => {
  const bedrock = provider({
    id: "br",
    type: "bedrock",
    baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
    region: "us-east-1",
    keys: ["ABSK-test-bedrock-key-0123456789"],
  });
  const named = await nameRefusedField(
    Response.json({
      message:
        "Malformed input request: #: extraneous key [context_management] is not permitted, please reformat your input and try again.",
    }, { status: 400 }),
    bedrock,
  );
  assert.equal(named.status, 400);
  assert.match(
    (await named.json()).message,
    /refused the field "context_management"; in its capability profile, add "context_management" to "dropFields"/,
  );
  const untouched = await nameRefusedField(
    Response.json({ message: "bad" }, { status: 400 }),
    bedrock,
  );
  assert.deepEqual(await untouched.json(), { message: "bad" });
  const sent = ["claude-code-20250219", "prompt-caching-scope-2026-01-05"];
  assert.deepEqual(allowedBetas(bedrock, sent), ["claude-code-20250219"]);
  assert.deepEqual(allowedBetas({ ...bedrock, profile: { betas: ["*"] } }, sent), sent);
  assert.deepEqual(
    allowedBetas({
      ...bedrock,
      allowedBetas: ["prompt-caching-scope-2026-01-05"],
      profile: { betas: ["*"] },
    }, sent),
    ["prompt-caching-scope-2026-01-05"],
    "allowedBetas, where set, wins",
  );
});

Deno.test("Gemini's array-shaped errors: message and type read from the first entry", async () => {
  const gemini = [{
    error: {
      code: 429,
      message: "Resource has been exhausted (e.g. check quota).",
      status: "RESOURCE_EXHAUSTED",
    },
  }];
  assert.equal(errorMessageOf(gemini), "Resource has been exhausted (e.g. check quota).");
  assert.equal(anthropicErrorType(undefined, 429, "RESOURCE_EXHAUSTED"), "rate_limit_error");
  // Through Detour: Gemini's 400 in an array reaches the client as an Anthropic error.
  const upstream = mockUpstream(() =>
    Response.json([{
      error: {
        code: 400,
        message: 'Invalid JSON payload received. Unknown name "store": Cannot find field.',
        status: "INVALID_ARGUMENT",
      },
    }], { status: 400 })
  );
  const detour = await startDetour({
    providers: [{
      id: "gemini",
      type: "openai",
      baseUrl: upstream.url,
      keys: ["AIza-test-key-0123456789"],
    }],
  });
  try {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-client-0123456789" },
      body: JSON.stringify({
        model: "m",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /^Invalid JSON payload received\. Unknown name "store"/);
    assert.match(body.error.message, /provider "gemini" refused the field "store"/);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("Gemini schema reduction: an integer's exclusive bounds become inclusive ones; examples and int formats kept", () => {
  const out = reduceSchemaForGemini({
    type: "object",
    properties: {
      count: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 10, format: "int64" },
      old: { type: "integer", minimum: 5, exclusiveMinimum: true },
      both: { type: "integer", minimum: 3, exclusiveMinimum: 1 },
      name: { type: "string", examples: ["a", "b"] },
    },
  });
  const props = out.properties as Json;
  assert.deepEqual(props.count, { type: "integer", minimum: 1, maximum: 9, format: "int64" });
  assert.deepEqual(props.old, { type: "integer", minimum: 6 });
  assert.deepEqual(props.both, { type: "integer", minimum: 3 });
  assert.deepEqual(props.name, { type: "string", example: "a" });
});

Deno.test("DeepSeek V4 preset: thinkingMode switches thinking on or off whatever the client asked", async () => {
  const preset = PRESETS.find((p) => p.id === "deepseek-openai")!;
  assert.equal(preset.provider.thinkingMode, "on");
  assert.ok(!JSON.stringify(PRESETS).includes("deepseek-chat"), "no preset names deepseek-chat");
  const upstream = mockUpstream(() =>
    Response.json({
      id: "c",
      object: "chat.completion",
      model: "deepseek-v4-flash",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    })
  );
  const detour = await startDetour({
    providers: [{
      ...(preset.provider as ProviderInput),
      id: "deepseek",
      baseUrl: upstream.url,
      keys: ["sk-deepseek-test-0123456789"],
      thinkingMode: "off",
    }],
  });
  try {
    const client = new Anthropic({
      baseURL: detour.url,
      apiKey: "sk-client-0123456789",
      maxRetries: 0,
    });
    await client.messages.create({
      model: "claude-sonnet-5",
      max_tokens: 2000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "hi" }],
    });
    const sent = JSON.parse(upstream.received[0].body);
    assert.equal(sent.model, "deepseek-v4-flash");
    assert.deepEqual(sent.thinking, { type: "disabled" });
    assert.equal(sent.reasoning_effort, undefined);
  } finally {
    await closeAll(detour, upstream);
  }
});
