/**
 * Default cloud credentials in process: the config rules for `awsCredentials`, `awsProfile` and
 * `googleCredentials`, the AWS keeper's chain per profile, and a Bedrock expired-token refusal
 * retried once with refreshed keys. The chain is a stub here; tests/cloud_credentials_test.ts
 * runs the real AWS SDK and google-auth-library against a fake HOME.
 */
import assert from "node:assert/strict";
import { LiveConfig } from "../config/live_config.ts";
import { PRESETS } from "../config/presets.ts";
import { ConfigSchema, ProviderSchema } from "../config/schema.ts";
import { runAttempts } from "../fallback/engine.ts";
import { planAttempts } from "../fallback/plan.ts";
import { createLogger } from "../log.ts";
import { ConversationBook } from "../repair/conversation.ts";
import { testClient } from "../../tests/helpers/engine_fixture.ts";
import { createAdapters } from "./adapters.ts";
import {
  type AwsChain,
  AwsCredentialsError,
  AwsDefaultCredentials,
} from "./aws_default_credentials.ts";
import { ClaudeOAuth } from "./claude_subscription.ts";
import { GoogleTokens } from "./google_auth.ts";
import { emailOfIdToken } from "./google_adc.ts";

const issues = (p: Record<string, unknown>) => {
  const r = ProviderSchema.safeParse(p);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

const bedrock = {
  id: "b",
  type: "bedrock",
  baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
  region: "us-east-1",
  awsCredentials: "default",
};
const vertex = {
  id: "v",
  type: "vertex",
  baseUrl: "https://aiplatform.googleapis.com",
  region: "global",
  projectId: "my-project",
  googleCredentials: "default",
};

Deno.test("config: awsCredentials default stands alone, awsProfile needs it", () => {
  assert.deepEqual(issues(bedrock), []);
  assert.deepEqual(issues({ ...bedrock, awsProfile: "dev-sso" }), []);
  assert.deepEqual(issues({ ...bedrock, awsCredentials: undefined, awsProfile: "dev" }), [
    'awsProfile: awsProfile needs awsCredentials: "default"',
    'awsAccessKeyId: a bedrock provider needs awsAccessKeyId and awsSecretAccessKey, a Bedrock API key in keys, or awsCredentials: "default"',
  ]);
  assert.match(
    issues({ ...bedrock, awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE", awsSecretAccessKey: "s" })[0],
    /either awsCredentials: "default" or pasted AWS access keys/,
  );
  assert.match(issues({ ...bedrock, keys: ["ABSKxyz0123456789"] })[0], /not both/);
  assert.match(issues({ ...bedrock, awsCredentials: "env" })[0], /awsCredentials/);
  assert.match(issues({ ...bedrock, awsProfile: "two words" })[0], /an AWS profile name/);
  assert.match(issues({ ...vertex, awsProfile: "dev" })[0], /only applies to type bedrock/);
});

Deno.test("config: googleCredentials default needs projectId and no key", () => {
  assert.deepEqual(issues(vertex), []);
  assert.deepEqual(issues({ ...vertex, projectId: undefined }), [
    'projectId: googleCredentials: "default" needs projectId',
  ]);
  assert.match(
    issues({ ...vertex, serviceAccountJson: '{"type":"service_account"}' })[0],
    /either googleCredentials: "default" or serviceAccountJson/,
  );
  assert.match(
    issues({ ...bedrock, googleCredentials: "default" })[0],
    /only applies to type vertex/,
  );
});

Deno.test("aws keeper: one chain per profile, built on first use; a failure names the profile", async () => {
  const built: (string | undefined)[] = [];
  const aws = new AwsDefaultCredentials((profile) => {
    built.push(profile);
    const chain: AwsChain = () =>
      profile === "broken"
        ? Promise.reject(new Error("Could not load credentials from any providers"))
        : Promise.resolve({ accessKeyId: `AKID-${profile ?? "chain"}`, secretAccessKey: "s" });
    return chain;
  });
  assert.deepEqual(built, [], "nothing is loaded before a provider needs it");
  assert.equal((await aws.credentials("dev")).accessKeyId, "AKID-dev");
  assert.equal((await aws.credentials("dev")).accessKeyId, "AKID-dev");
  assert.equal((await aws.credentials(undefined)).accessKeyId, "AKID-chain");
  assert.deepEqual(built, ["dev", undefined]);
  const err = await aws.credentials("broken").catch((e) => e);
  assert.ok(err instanceof AwsCredentialsError);
  assert.equal(err.outcome, "auth");
  assert.equal(
    err.message,
    'AWS profile "broken" gave no credentials: Could not load credentials from any providers',
  );
});

Deno.test("bedrock: an expired-token refusal is tried once more with refreshed keys", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let generation = 0;
    const forced: boolean[] = [];
    const aws = new AwsDefaultCredentials(() => (opts) => {
      if (opts?.forceRefresh) generation++;
      forced.push(opts?.forceRefresh === true);
      return Promise.resolve({
        accessKeyId: `ASIAGEN${generation}`,
        secretAccessKey: "s",
        sessionToken: `t${generation}`,
      });
    });
    const calls: Request[] = [];
    const stub: typeof fetch = (input) => {
      const req = input as Request;
      calls.push(req);
      if (req.headers.get("x-amz-security-token") === "t0") {
        return Promise.resolve(
          Response.json({ message: "The security token included in the request is expired" }, {
            status: 403,
            headers: { "x-amzn-errortype": "ExpiredTokenException:http://internal.amazon.com/" },
          }),
        );
      }
      return Promise.resolve(Response.json({
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content: [{ type: "text", text: "ok" }],
        stop_reason: "end_turn",
        usage: { input_tokens: 1, output_tokens: 1 },
      }));
    };
    const config = ConfigSchema.parse({ providers: [bedrock] });
    const live = await LiveConfig.open(kv, config);
    const adapters = createAdapters({
      fetch: stub,
      oauth: new ClaudeOAuth(kv),
      google: new GoogleTokens(stub),
      aws,
      logger: createLogger("silent"),
      live,
      conversations: new ConversationBook(),
    });
    const json = { model: "claude-sonnet-4-5", max_tokens: 8, messages: [] };
    const plan = planAttempts(live.chain, json.model, testClient, { get: () => undefined });
    const result = await runAttempts(
      {
        id: "r1",
        endpoint: "messages",
        search: "",
        headers: new Headers({ "anthropic-version": "2023-06-01" }),
        raw: new TextEncoder().encode(JSON.stringify(json)),
        json,
        model: json.model,
        stream: false,
        client: testClient,
        signal: new AbortController().signal,
      },
      plan.attempts,
      config,
      { send: adapters.send, cooldowns: { set: () => Promise.resolve() } },
    );
    assert.equal(result.response.status, 200);
    assert.deepEqual(calls.map((c) => c.headers.get("x-amz-security-token")), ["t0", "t1"]);
    assert.deepEqual(forced, [false, true, false]);
  } finally {
    kv.close();
  }
});

Deno.test("google ADC: the user's e-mail comes from the refresh's ID token", () => {
  const payload = btoa(JSON.stringify({ email: "dev@example.com" })).replace(/=+$/, "");
  assert.equal(emailOfIdToken(`h.${payload}.s`), "dev@example.com");
  assert.equal(emailOfIdToken(undefined), null);
  assert.equal(emailOfIdToken("not-a-jwt"), null);
});

Deno.test("presets: the default-credentials choices for Bedrock and Vertex make valid providers", () => {
  const typed: Record<string, unknown> = { projectId: "my-project", awsProfile: "dev" };
  for (const id of ["aws-bedrock-default", "google-vertex-adc"]) {
    const preset = PRESETS.find((p) => p.id === id)!;
    const input = {
      id: "x",
      ...preset.provider,
      ...Object.fromEntries(preset.fields.filter((f) => f in typed).map((f) => [f, typed[f]])),
    };
    const r = ProviderSchema.safeParse(input);
    assert.ok(r.success, `${id}: ${r.success ? "" : r.error.issues[0].message}`);
  }
});
