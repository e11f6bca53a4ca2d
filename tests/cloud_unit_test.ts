/** Unit tests for the cloud providers: model names, config checks, event-stream decoding, errors. */
import assert from "node:assert/strict";
import { ConfigSchema, ProviderSchema } from "../lib/config/schema.ts";
import { PRESETS } from "../lib/config/presets.ts";
import { maskConfig } from "../lib/config/mask.ts";
import { eventStreamToSse } from "../lib/providers/aws_eventstream.ts";
import { bedrockErrorFor } from "../lib/providers/cloud_errors.ts";
import {
  bedrockFoundationId,
  modelMapperFor,
  normalizeModelId,
  toBedrockId,
  toVertexId,
} from "../lib/providers/model_ids.ts";
import { allowedBetas } from "../lib/providers/cloud_betas.ts";
import { anthropicEvents, chunkFrame, concat, exceptionFrame } from "./helpers/cloud_mocks.ts";

const SA = JSON.stringify({
  type: "service_account",
  project_id: "p-123456",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
  client_email: "x@p-123456.iam.gserviceaccount.com",
});

Deno.test("model ids: Anthropic ids, aliases and snapshots on Bedrock and Vertex", () => {
  assert.equal(
    toBedrockId("claude-sonnet-4-5-20250929", "us-east-1", "geo"),
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  );
  assert.equal(
    toBedrockId("claude-haiku-4-5", "eu-central-1", "geo"),
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  );
  assert.equal(
    toBedrockId("claude-3-5-sonnet-20241022", "ap-southeast-2", "geo"),
    "apac.anthropic.claude-3-5-sonnet-20241022-v2:0",
  );
  assert.equal(
    toBedrockId("claude-opus-4-6", "us-west-2", "global"),
    "global.anthropic.claude-opus-4-6-v1",
  );
  assert.equal(toBedrockId("claude-opus-4-8", "us-west-2", "geo"), "us.anthropic.claude-opus-4-8");
  assert.equal(toBedrockId("claude-sonnet-5", "eu-west-1", "off"), "anthropic.claude-sonnet-5");
  assert.equal(
    toBedrockId("us-gov.anthropic.claude-x", "us-gov-west-1", "geo"),
    "us-gov.anthropic.claude-x",
  );
  assert.equal(toBedrockId("gpt-4o", "us-east-1", "geo"), null);

  assert.equal(toVertexId("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5@20250929");
  assert.equal(toVertexId("claude-haiku-4-5"), "claude-haiku-4-5@20251001");
  assert.equal(toVertexId("claude-opus-4-8"), "claude-opus-4-8");
  assert.equal(
    toVertexId("us.anthropic.claude-opus-4-1-20250805-v1:0"),
    "claude-opus-4-1@20250805",
  );
  assert.equal(toVertexId("glm-4.6"), null);

  assert.equal(
    normalizeModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    "claude-sonnet-4-5-20250929",
  );
  assert.equal(normalizeModelId("anthropic.claude-opus-4-6-v1"), "claude-opus-4-6");
  assert.equal(normalizeModelId("global.anthropic.claude-sonnet-4-6"), "claude-sonnet-4-6");
  assert.equal(normalizeModelId("claude-haiku-4-5@20251001"), "claude-haiku-4-5-20251001");
  assert.equal(normalizeModelId("claude-sonnet-5"), "claude-sonnet-5");
  assert.equal(normalizeModelId("my-alias"), "my-alias");
  // An application inference profile ARN names no model: left as it is.
  const app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
  assert.equal(normalizeModelId(app), app);
  assert.equal(
    bedrockFoundationId("us.anthropic.claude-haiku-4-5-20251001-v1:0"),
    "anthropic.claude-haiku-4-5-20251001-v1:0",
  );
});

Deno.test("model mapper: per type, with the provider's map first", () => {
  const bedrock = ProviderSchema.parse({
    id: "b",
    type: "bedrock",
    baseUrl: "https://bedrock-runtime.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    keys: ["ABSKexample0123456789"],
  });
  const map = modelMapperFor(bedrock);
  assert.equal(map("claude-opus-4-8"), "eu.anthropic.claude-opus-4-8");
  assert.equal(map("us.anthropic.claude-opus-4-8"), "us.anthropic.claude-opus-4-8");
  assert.equal(map("glm-4.6"), null, "an empty map takes only Claude models");

  const restricted = modelMapperFor({
    ...bedrock,
    modelMap: {
      "claude-*haiku*": "claude-haiku-4-5",
      "fast": "arn:aws:bedrock:eu-west-1:1:application-inference-profile/x",
    },
  });
  assert.equal(
    restricted("claude-haiku-4-5-20251001"),
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  );
  assert.equal(
    restricted("eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  );
  assert.equal(restricted("fast"), "arn:aws:bedrock:eu-west-1:1:application-inference-profile/x");
  assert.equal(restricted("claude-opus-4-8"), null);

  const vertex = modelMapperFor(ProviderSchema.parse({
    id: "v",
    type: "vertex",
    baseUrl: "https://aiplatform.googleapis.com",
    region: "global",
    serviceAccountJson: SA,
  }));
  assert.equal(vertex("claude-sonnet-4-5"), "claude-sonnet-4-5@20250929");
  assert.equal(vertex("us.anthropic.claude-sonnet-4-6"), "claude-sonnet-4-6");

  const zai = modelMapperFor(ProviderSchema.parse({
    id: "z",
    type: "anthropic",
    baseUrl: "https://api.z.ai/api/anthropic",
    modelMap: { "claude-*haiku*": "glm-4.5-air" },
  }));
  assert.equal(zai("us.anthropic.claude-haiku-4-5-20251001-v1:0"), "glm-4.5-air");
  assert.equal(zai("claude-opus-4-8"), null);
});

Deno.test("config: bedrock, vertex and subscription fields are checked with clear messages", () => {
  const issues = (p: Record<string, unknown>) => {
    const r = ProviderSchema.safeParse(p);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  const bedrock = {
    id: "b",
    type: "bedrock",
    baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
    region: "us-east-1",
    awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE",
    awsSecretAccessKey: "secret",
  };
  assert.deepEqual(issues(bedrock), []);
  assert.deepEqual(issues({ ...bedrock, region: "eu-west-1" }), [
    "baseUrl: baseUrl is the us-east-1 endpoint but region is eu-west-1: make them agree",
  ]);
  assert.match(
    issues({ ...bedrock, awsAccessKeyId: undefined, awsSecretAccessKey: undefined })[0],
    /needs awsAccessKeyId/,
  );
  assert.match(issues({ ...bedrock, keys: ["ABSKxyz0123456789"] })[0], /either Bedrock API keys/);
  assert.match(issues({ ...bedrock, awsSecretAccessKey: undefined })[0], /go together/);
  assert.match(issues({ ...bedrock, passthrough: true })[0], /own credentials/);

  const vertex = {
    id: "v",
    type: "vertex",
    baseUrl: "https://us-east5-aiplatform.googleapis.com",
    region: "us-east5",
    serviceAccountJson: SA,
  };
  assert.deepEqual(issues(vertex), []);
  assert.deepEqual(issues({ ...vertex, region: "global" }), [
    "baseUrl: baseUrl is the us-east5 endpoint but region is global: make them agree",
  ]);
  assert.match(issues({ ...vertex, serviceAccountJson: "{not json" })[0], /not valid JSON/);
  assert.match(
    issues({ ...vertex, serviceAccountJson: '{"type":"authorized_user"}' })[0],
    /service_account/,
  );
  assert.match(issues({ ...vertex, serviceAccountJson: undefined })[0], /needs a service account/);

  const sub = {
    id: "s",
    type: "anthropic",
    baseUrl: "https://api.anthropic.com",
    oauthRefreshToken: "sk-ant-ort01-x",
    oauthExpiresAt: "2026-12-01T00:00:00Z",
  };
  assert.deepEqual(issues(sub), []);
  assert.equal(ProviderSchema.parse(sub).oauthExpiresAt, Date.parse("2026-12-01T00:00:00Z"));
  assert.match(
    issues({ ...sub, oauthRefreshToken: undefined, oauthAccessToken: "sk-ant-oat01-x" })[0],
    /setup-token/,
  );
  assert.match(issues({ ...sub, keys: ["sk-ant-api03-x"] })[0], /takes no keys/);
  assert.match(issues({ ...sub, oauthCredentialsFile: "/x" })[0], /not both/);
  assert.match(
    issues({ ...sub, type: "bedrock", region: "us-east-1" }).join(),
    /only applies to type anthropic/,
  );
  assert.match(issues({ ...bedrock, type: "anthropic" }).join(), /only applies to type bedrock/);
});

Deno.test("config: cloud secrets are masked and presets validate", () => {
  const config = ConfigSchema.parse({
    providers: [{
      id: "v",
      type: "vertex",
      baseUrl: "https://aiplatform.googleapis.com",
      region: "global",
      serviceAccountJson: SA,
    }, {
      id: "s",
      type: "anthropic",
      baseUrl: "https://api.anthropic.com",
      oauthRefreshToken: "sk-ant-ort01-secret-refresh-0123456789",
      oauthAccessToken: "sk-ant-oat01-secret-access-0123456789",
    }],
  });
  const shown = JSON.stringify(maskConfig(config));
  assert.ok(!shown.includes("PRIVATE KEY") && !shown.includes("secret-refresh"));
  const mine = [
    "claude-subscription-oauth",
    "claude-subscription-file",
    "aws-bedrock",
    "aws-bedrock-api-key",
    "google-vertex",
  ];
  assert.deepEqual(PRESETS.filter((p) => mine.includes(p.id)).map((p) => p.id), mine);
  for (const preset of PRESETS.filter((p) => mine.includes(p.id))) {
    // A preset plus what the user types for its fields makes a valid provider.
    const typed: Record<string, unknown> = {
      awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE",
      awsSecretAccessKey: "secret",
      serviceAccountJson: SA,
      oauthRefreshToken: "sk-ant-ort01-x",
    };
    const input = {
      id: "x",
      ...preset.provider,
      ...Object.fromEntries(preset.fields.filter((f) => f in typed).map((f) => [f, typed[f]])),
      ...(preset.needsKeys ? { keys: ["ABSKexample-0123456789"] } : {}),
    };
    const r = ProviderSchema.safeParse(input);
    assert.ok(r.success, `${preset.id}: ${r.success ? "" : r.error.issues[0].message}`);
  }
});

async function decode(chunks: Uint8Array[]): Promise<string> {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
  return await new Response(body.pipeThrough(eventStreamToSse())).text();
}

Deno.test("event stream: frames decode across any split into Anthropic SSE", async () => {
  const events = anthropicEvents("split me");
  const bytes = concat(events.map(chunkFrame));
  const whole = await decode([bytes]);
  const expected = events.map((e) =>
    `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`
  ).join("");
  assert.equal(whole, expected);
  for (const size of [1, 3, 16, 97]) {
    const parts = [];
    for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
    assert.equal(await decode(parts), expected, `slices of ${size}`);
  }
});

Deno.test("event stream: exceptions, corrupt and truncated frames end with an error event", async () => {
  const ok = chunkFrame(anthropicEvents("x")[0]);
  const exception = await decode([ok, exceptionFrame("throttlingException", "Too many requests")]);
  assert.match(
    exception,
    /event: error\ndata: \{"type":"error","error":\{"type":"rate_limit_error","message":"Bedrock throttlingException: Too many requests"\}\}\n\n$/,
  );

  const corrupt = concat([ok]);
  corrupt[corrupt.length - 20] ^= 0xff;
  assert.match(await decode([corrupt]), /^event: error\n.*could not be decoded/);

  assert.match(await decode([ok.slice(0, 30)]), /^event: error\n.*ended inside a frame/);
  const bogus = new Uint8Array(16);
  new DataView(bogus.buffer).setUint32(0, 1 << 30);
  assert.match(await decode([bogus]), /bad frame length/);
});

Deno.test("errors: Bedrock exception names map to Anthropic statuses", () => {
  assert.deepEqual(
    bedrockErrorFor(
      "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      429,
    ),
    {
      status: 429,
      type: "rate_limit_error",
      name: "ThrottlingException",
    },
  );
  assert.equal(
    bedrockErrorFor("com.amazon.coral.service#UnrecognizedClientException", 403).status,
    401,
  );
  assert.equal(bedrockErrorFor("modelNotReadyException", 429).status, 529);
  assert.equal(bedrockErrorFor("SomethingNew", 418).status, 418);
});

Deno.test("betas: only cloud-safe betas pass unless the provider says otherwise", () => {
  const p = ProviderSchema.parse({
    id: "b",
    type: "bedrock",
    baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
    region: "us-east-1",
    keys: ["ABSKexample0123456789"],
  });
  const sent = [
    "claude-code-20250219",
    "oauth-2025-04-20",
    "context-1m-2025-08-07",
    "mid-conversation-system-2026-04-07",
  ];
  assert.deepEqual(allowedBetas(p, sent), ["claude-code-20250219", "context-1m-2025-08-07"]);
  assert.deepEqual(allowedBetas({ ...p, allowedBetas: ["*"] }, sent), sent);
  assert.deepEqual(allowedBetas({ ...p, allowedBetas: ["oauth-2025-04-20"] }, sent), [
    "oauth-2025-04-20",
  ]);
});
