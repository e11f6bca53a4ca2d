/**
 * Capability profiles against a strict Anthropic-compatible gateway: the mock refuses what such
 * gateways refuse (self-test), a Claude Code-shaped request sent with the official SDK through
 * Detour succeeds with the preset's profile and fails with a field-naming error when the profile
 * is overridden to forward everything, and the Anthropic API's own traffic stays byte-identical.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { PRESETS } from "../lib/config/presets.ts";
import type { ProviderInput } from "../lib/config/schema.ts";
import { anthropicErrorResponse, closeAll, serve, startDetour } from "./helpers/harness.ts";
import { CLAUDE_CODE_BETAS, claudeCodeBody } from "./helpers/vendor_mocks/claude_code_body.ts";
import { strictGateway, strictGatewayRefusal } from "./helpers/vendor_mocks/strict_gateway.ts";

const KEY = "sk-strict-gateway-stored-key-0123456789";
const CLIENT_KEY = "sk-ant-api03-profile-client-0123456789";
const MODEL = "claude-sonnet-5";

async function refusalMessage(res: Response | null): Promise<string | null> {
  if (!res) return null;
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.type, "error");
  assert.equal(body.error.type, "invalid_request_error");
  return body.error.message;
}

Deno.test("strict gateway mock: refuses Claude Code's extras with the vendor wording, accepts the core API", async () => {
  const noBetas = new Headers();
  const cc = claudeCodeBody(MODEL, false);
  assert.equal(
    await refusalMessage(strictGatewayRefusal(noBetas, cc)),
    "context_management: Extra inputs are not permitted",
  );
  const { context_management: _, output_config: _o, speed: _s, fallbacks: _f, ...core } = cc;
  assert.equal(
    await refusalMessage(strictGatewayRefusal(noBetas, core)),
    "thinking.type: Input should be 'enabled' or 'disabled'",
  );
  const enabled = { ...core, thinking: { type: "enabled", budget_tokens: 1024 } };
  assert.equal(
    await refusalMessage(strictGatewayRefusal(noBetas, enabled)),
    "system.1.cache_control.scope: Extra inputs are not permitted",
  );
  assert.match(
    (await refusalMessage(
      strictGatewayRefusal(new Headers({ "anthropic-beta": CLAUDE_CODE_BETAS }), {
        model: MODEL,
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    ))!,
    /^Unexpected value\(s\) `claude-code-20250219`.*`anthropic-beta` header/,
  );
  const correct = {
    model: MODEL,
    max_tokens: 100,
    system: [{ type: "text", text: "s", cache_control: { type: "ephemeral" } }],
    messages: [
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Bash", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] },
    ],
    tools: [{ name: "Bash", description: "d", input_schema: { type: "object" } }],
    thinking: { type: "enabled", budget_tokens: 1024 },
  };
  assert.equal(strictGatewayRefusal(noBetas, correct), null);
});

/** The strict-gateway preset's provider, pointed at the mock. */
function presetProvider(url: string, profile?: ProviderInput["profile"]): ProviderInput {
  const preset = PRESETS.find((p) => p.id === "custom-anthropic-strict");
  assert.ok(preset, "the strict gateway preset exists");
  return {
    ...(preset.provider as ProviderInput),
    id: "gateway",
    baseUrl: url,
    keys: [KEY],
    ...(profile ? { profile } : {}),
  };
}

/** Claude Code-shaped calls through the official SDK (bodies sent verbatim, extras included). */
function claudeCodeCall(client: Anthropic, stream: boolean) {
  const params = claudeCodeBody(MODEL, stream) as unknown as Anthropic.MessageCreateParams;
  return client.messages.create(params, {
    headers: { "anthropic-beta": CLAUDE_CODE_BETAS, "x-app": "cli" },
    // An explicit timeout: the SDK refuses a long non-streaming call without one.
    timeout: 60_000,
  });
}

Deno.test("a Claude Code turn through Detour to a strict gateway succeeds with the preset's profile, streaming and not", async () => {
  const gateway = strictGateway();
  const detour = await startDetour({ providers: [presetProvider(gateway.url)] });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const whole = await claudeCodeCall(client, false) as Anthropic.Message;
    assert.equal((whole.content[0] as Anthropic.TextBlock).text, "gateway answered");
    const stream = await claudeCodeCall(client, true) as AsyncIterable<
      Anthropic.RawMessageStreamEvent
    >;
    let text = "";
    for await (const event of stream) {
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        text += event.delta.text;
      }
    }
    assert.equal(text, "gateway streamed");
    assert.equal(gateway.calls.length, 2, "one upstream call per turn");
    const sent = JSON.parse(gateway.calls[0].text);
    assert.deepEqual(sent.thinking, { type: "enabled", budget_tokens: 16000 });
    assert.equal(sent.context_management, undefined);
    assert.equal(gateway.calls[0].headers.get("anthropic-beta"), null);
    assert.ok(detour.logs.some((l) => l.includes("dropped field context_management")));
  } finally {
    await closeAll(detour, gateway);
  }
});

Deno.test("a profile overridden to forward everything: the gateway's 400 reaches the client naming the field and the fix", async () => {
  const gateway = strictGateway({ knownBetas: CLAUDE_CODE_BETAS.split(",") });
  const detour = await startDetour({
    providers: [presetProvider(gateway.url, { base: "anthropic" })],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    await assert.rejects(claudeCodeCall(client, false), (e) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      const message = (e.error as { error: { message: string } }).error.message;
      assert.match(message, /^context_management: Extra inputs are not permitted/);
      assert.match(message, /provider "gateway" refused the field "context_management"/);
      assert.match(message, /add "context_management" to "dropFields"/);
      return true;
    });
    // Forwarded untouched: the gateway saw the client's very bytes.
    assert.deepEqual(JSON.parse(gateway.calls[0].text), claudeCodeBody(MODEL, false));
  } finally {
    await closeAll(detour, gateway);
  }
});

Deno.test("the Anthropic API's profile is the identity: body bytes and betas arrive as sent", async () => {
  const upstream = strictGateway({ enforce: false });
  const detour = await startDetour({
    providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
  });
  try {
    const text = JSON.stringify(claudeCodeBody(MODEL, false));
    const res = await fetch(`${detour.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": CLAUDE_CODE_BETAS,
        "x-api-key": CLIENT_KEY,
      },
      body: text,
    });
    assert.equal(res.status, 200, await res.clone().text());
    await res.body?.cancel();
    assert.equal(upstream.calls[0].text, text);
    assert.equal(upstream.calls[0].headers.get("anthropic-beta"), CLAUDE_CODE_BETAS);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("failover: Anthropic overloaded, the next turn lands on the strict gateway fitted by its profile; one call each", async () => {
  const overloaded = serve(() =>
    anthropicErrorResponse(529, "overloaded_error", "Overloaded", { "x-should-retry": "true" })
  );
  const gateway = strictGateway();
  const detour = await startDetour({
    providers: [
      { id: "anthropic", type: "anthropic", baseUrl: overloaded.url, passthrough: true },
      presetProvider(gateway.url),
    ],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data, response } = await claudeCodeCall(client, false).withResponse();
    assert.equal(
      ((data as Anthropic.Message).content[0] as Anthropic.TextBlock).text,
      "gateway answered",
    );
    assert.equal(response.headers.get("x-detour-provider"), "gateway");
    assert.match(
      response.headers.get("x-detour-attempts") ?? "",
      /^anthropic 529 \d+ms, gateway 200 \d+ms$/,
    );
    assert.equal(gateway.calls.length, 1, "no hidden retry at the gateway");
    assert.equal(gateway.calls[0].status, 200);
  } finally {
    await closeAll(detour, overloaded, gateway);
  }
});
