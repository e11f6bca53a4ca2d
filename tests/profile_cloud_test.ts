/**
 * Capability profiles on Bedrock: the preset's profile keeps the Anthropic API's own features
 * (`speed`, `fallbacks`, `cache_control.scope`) away from InvokeModel, which refuses unknown keys
 * ("Malformed input request: #: extraneous key [speed] is not permitted", 400
 * ValidationException: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors);
 * with the profile overridden to forward everything, the client's 400 names the field.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { PRESETS } from "../lib/config/presets.ts";
import type { ProviderInput } from "../lib/config/schema.ts";
import { bedrockError, type BedrockScript, mockBedrock } from "./helpers/cloud_mocks.ts";
import { closeAll, startDetour } from "./helpers/harness.ts";
import { CLAUDE_CODE_BETAS, claudeCodeBody } from "./helpers/vendor_mocks/claude_code_body.ts";

const API_KEY = "ABSK-profile-test-bedrock-key-0123456789";
const MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

/** Bedrock's refusal of the keys the mock treats as unknown to InvokeModel. */
const refuseExtraneous: BedrockScript = (rec) => {
  if (!rec.text.startsWith("{")) return undefined;
  const body = JSON.parse(rec.text);
  for (const key of ["speed", "fallbacks"]) {
    if (key in body) {
      return bedrockError(
        400,
        "ValidationException",
        `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
      );
    }
  }
  return undefined;
};

async function setup(profile?: ProviderInput["profile"]) {
  const bedrock = mockBedrock({ apiKeys: [API_KEY], script: refuseExtraneous });
  const preset = PRESETS.find((p) => p.id === "aws-bedrock-api-key")!;
  const detour = await startDetour({
    providers: [{
      ...(preset.provider as ProviderInput),
      id: "bedrock",
      baseUrl: bedrock.url,
      keys: [API_KEY],
      ...(profile ? { profile } : {}),
    }],
  });
  const client = new Anthropic({
    baseURL: detour.url,
    apiKey: "sk-client-0123456789",
    maxRetries: 0,
  });
  const call = () =>
    client.messages.create(
      claudeCodeBody(MODEL, false) as unknown as Anthropic.MessageCreateParamsNonStreaming,
      { headers: { "anthropic-beta": CLAUDE_CODE_BETAS }, timeout: 60_000 },
    );
  return { bedrock, detour, call, close: () => closeAll(detour, bedrock) };
}

Deno.test("bedrock preset's profile: a Claude Code turn reaches InvokeModel without the Anthropic API's own fields", async () => {
  const t = await setup();
  try {
    const message = await t.call();
    assert.equal((message.content[0] as Anthropic.TextBlock).text, "hello from bedrock");
    const sent = JSON.parse(t.bedrock.received[0].text);
    assert.equal("speed" in sent, false);
    assert.equal("fallbacks" in sent, false);
    assert.deepEqual(sent.system[1].cache_control, { type: "ephemeral", ttl: "1h" });
    assert.deepEqual(sent.context_management, claudeCodeBody(MODEL, false).context_management);
    assert.equal(t.bedrock.received.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("bedrock with the profile overridden to forward: the client's 400 names the refused field", async () => {
  const t = await setup({ base: "anthropic" });
  try {
    await assert.rejects(t.call(), (e) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      const message = (e.error as { error: { message: string } }).error.message;
      assert.match(message, /extraneous key \[speed\] is not permitted/);
      assert.match(
        message,
        /provider "bedrock" refused the field "speed"; in its capability profile, add "speed" to "dropFields"/,
      );
      return true;
    });
  } finally {
    await t.close();
  }
});
