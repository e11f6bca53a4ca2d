/**
 * Cloud credentials from where they already are, with Detour in its own process (the AWS SDK and
 * google-auth-library read HOME and the environment): a fake HOME with AWS config and credentials
 * files (environment keys, a profile's static keys, `credential_process`, an SSO token cache
 * against a mock SSO portal) signing for the SigV4-verifying Bedrock mock, and gcloud's
 * authorized-user file against a mock token endpoint for the Vertex mock. The environment turns
 * off every real endpoint (instance metadata, Google's metadata detection): only loopback.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { closeAll } from "./helpers/harness.ts";
import { type DetourProcess, startDetourProcess } from "./helpers/detour_process.ts";
import {
  type AwsCredentials,
  makeServiceAccount,
  mockBedrock,
  mockGoogleToken,
  mockVertex,
} from "./helpers/cloud_mocks.ts";
import {
  mockAwsSso,
  mockGceMetadata,
  mockGoogleUserToken,
  mockSts,
} from "./helpers/credential_mocks.ts";

const ADMIN = "test-admin-token-0123456789";

/** Environment that keeps the AWS SDK and the Google library off the real network. */
const OFFLINE = {
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
  AWS_WEB_IDENTITY_TOKEN_FILE: "",
  AWS_PROFILE: "",
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  GOOGLE_APPLICATION_CREDENTIALS: "",
  CLOUDSDK_CONFIG: "",
  METADATA_SERVER_DETECTION: "none",
  GCE_METADATA_HOST: "127.0.0.1:9",
};

const keys = (id: string): AwsCredentials => ({
  accessKeyId: id,
  secretAccessKey: `secret-${id.toLowerCase()}`,
});
const ENV_KEYS = keys("AKIDENVIRONMENT00000");
const STATIC_KEYS = keys("AKIDSTATICPROFILE000");
const SSO_KEYS = { ...keys("ASIASSOROLE000000000"), sessionToken: "sso-session-token-value" };
const PROC_LONG = { ...keys("ASIAPROCLONG0000000"), sessionToken: "proc-long-session" };
/** The short-lived `credential_process` gives a new key each run: generation n. */
const procShort = (n: number) => ({
  ...keys(`ASIAPROCSHORT${String(n).padStart(6, "0")}`),
  sessionToken: `proc-short-session-${n}`,
});

/** A `credential_process` script: counts its runs, prints the documented JSON. */
async function processScript(path: string, counter: string, body: string): Promise<void> {
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho run >> "${counter}"\nN=$(wc -l < "${counter}" | tr -d ' ')\n${body}\n`,
  );
  await Deno.chmod(path, 0o755);
}

const runs = async (counter: string) =>
  (await Deno.readTextFile(counter).catch(() => "")).split("\n").filter(Boolean).length;

/** SHA-1 hex, the SSO token cache's file name for an `sso-session`. */
async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A fake HOME with ~/.aws: profiles static, proc-long, proc-short, sso. */
async function fakeAwsHome(): Promise<{ home: string; counters: Record<string, string> }> {
  const home = await Deno.makeTempDir({ prefix: "detour-home-" });
  await Deno.mkdir(`${home}/.aws/sso/cache`, { recursive: true });
  const counters = { long: `${home}/long.count`, short: `${home}/short.count` };
  await processScript(
    `${home}/proc-long.sh`,
    counters.long,
    `echo '{"Version":1,"AccessKeyId":"${PROC_LONG.accessKeyId}","SecretAccessKey":"${PROC_LONG.secretAccessKey}","SessionToken":"${PROC_LONG.sessionToken}","Expiration":"2099-01-01T00:00:00Z","AccountId":"444455556666"}'`,
  );
  // Two minutes to live: inside the SDK's five-minute refresh window, so every use refreshes.
  await processScript(
    `${home}/proc-short.sh`,
    counters.short,
    `EXP=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
ID=$(printf 'ASIAPROCSHORT%06d' "$N")
echo "{\\"Version\\":1,\\"AccessKeyId\\":\\"$ID\\",\\"SecretAccessKey\\":\\"secret-$(echo $ID | tr A-Z a-z)\\",\\"SessionToken\\":\\"proc-short-session-$N\\",\\"Expiration\\":\\"$EXP\\"}"`,
  );
  await Deno.writeTextFile(
    `${home}/.aws/credentials`,
    `[static]\naws_access_key_id = ${STATIC_KEYS.accessKeyId}\naws_secret_access_key = ${STATIC_KEYS.secretAccessKey}\n`,
  );
  await Deno.writeTextFile(
    `${home}/.aws/config`,
    `[default]
region = us-east-1

[profile proc-long]
credential_process = ${home}/proc-long.sh

[profile proc-short]
credential_process = ${home}/proc-short.sh

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ClaudeUser
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`,
  );
  // What `aws sso login` leaves behind: the token cache entry, named by the session's SHA-1.
  await Deno.writeTextFile(
    `${home}/.aws/sso/cache/${await sha1("corp")}.json`,
    JSON.stringify({
      startUrl: "https://corp.awsapps.com/start",
      region: "us-east-1",
      accessToken: "sso-portal-access-token",
      expiresAt: new Date(Date.now() + 8 * 3600_000).toISOString(),
    }),
  );
  return { home, counters };
}

/** A Bedrock provider on the mock, taking one model name. */
function bedrockProvider(id: string, bedrockUrl: string, extra: Record<string, unknown>) {
  return {
    id,
    type: "bedrock",
    baseUrl: bedrockUrl,
    region: "us-east-1",
    crossRegion: "off",
    modelMap: { [`claude-${id}`]: `anthropic.claude-${id}-v1:0` },
    awsCredentials: "default",
    ...extra,
  };
}

/** The Deno cache this test runs from. */
function denoDir(): string {
  const info = new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync();
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}

async function startWith(
  providers: unknown[],
  env: Record<string, string>,
  home: string,
): Promise<DetourProcess> {
  const config = `${home}/detour-config.json`;
  await Deno.writeTextFile(config, JSON.stringify({ providers, cooldownSeconds: 0 }));
  // The passthrough upstream is never used: every provider here is in CONFIG_FILE.
  return await startDetourProcess("http://127.0.0.1:9", {
    ...OFFLINE,
    // Deno's own cache stays where it is (it would follow HOME and fetch every package again).
    DENO_DIR: denoDir(),
    HOME: home,
    CONFIG_FILE: config,
    ...env,
  });
}

async function identity(detour: DetourProcess, id: string) {
  const res = await fetch(`${detour.url}/admin/api/providers/${id}/identity`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(res.status, 200);
  return await res.json();
}

/** The access key id a recorded request was signed with. */
const signedWith = (headers: Headers) =>
  /Credential=([^/]+)\//.exec(headers.get("authorization") ?? "")?.[1];

Deno.test("bedrock awsCredentials default: env keys, profile keys, credential_process and SSO sign for Bedrock", async () => {
  const { home, counters } = await fakeAwsHome();
  const sso = mockAwsSso({
    accessToken: "sso-portal-access-token",
    accountId: "111122223333",
    roleName: "ClaudeUser",
    credentials: SSO_KEYS,
  });
  const bedrock = mockBedrock({
    credentials: [
      ENV_KEYS,
      STATIC_KEYS,
      SSO_KEYS,
      PROC_LONG,
      ...Array.from({ length: 20 }, (_, i) => procShort(i + 1)),
    ],
  });
  const sts = mockSts([
    {
      credentials: SSO_KEYS,
      arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ClaudeUser_0123/dev@example.com",
      account: "111122223333",
    },
    {
      credentials: STATIC_KEYS,
      arn: "arn:aws:iam::777788889999:user/detour",
      account: "777788889999",
    },
  ]);
  const providers = [
    bedrockProvider("env", bedrock.url, {}),
    bedrockProvider("static", bedrock.url, { awsProfile: "static" }),
    bedrockProvider("long", bedrock.url, { awsProfile: "proc-long" }),
    bedrockProvider("short", bedrock.url, { awsProfile: "proc-short" }),
    bedrockProvider("sso", bedrock.url, { awsProfile: "sso" }),
    bedrockProvider("missing", bedrock.url, { awsProfile: "nope" }),
  ];
  const detour = await startWith(providers, {
    AWS_CONFIG_FILE: `${home}/.aws/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey,
    AWS_ENDPOINT_URL_SSO: sso.url,
    AWS_ENDPOINT_URL_STS: sts.url,
  }, home);
  const client = new Anthropic({ baseURL: detour.url, apiKey: "sk-unused", maxRetries: 0 });
  const ask = (model: string) =>
    client.messages.create({
      model,
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
  try {
    const expected: Record<string, string> = {
      env: ENV_KEYS.accessKeyId,
      static: STATIC_KEYS.accessKeyId,
      long: PROC_LONG.accessKeyId,
      sso: SSO_KEYS.accessKeyId,
    };
    for (const [id, keyId] of Object.entries(expected)) {
      const msg = await ask(`claude-${id}`);
      assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from bedrock");
      const last = bedrock.received.at(-1)!;
      assert.equal(last.path, `/model/anthropic.claude-${id}-v1:0/invoke`);
      assert.equal(signedWith(last.headers), keyId, id);
    }
    assert.deepEqual(bedrock.rejected, []);
    // The SSO role credentials carry a session token, sent as AWS requires.
    assert.equal(
      bedrock.received.at(-1)!.headers.get("x-amz-security-token"),
      "sso-session-token-value",
    );
    assert.equal(sso.calls, 1);

    // Credentials that last are fetched once; ones about to expire are refreshed before use.
    await ask("claude-long");
    assert.equal(await runs(counters.long), 1);
    // Each use of keys inside the window starts a refresh in the background (the SDK's memo)
    // and signs with the keys still valid; a later request signs with the new ones.
    const shortKeys = new Set<string | undefined>();
    for (let i = 0; i < 40 && shortKeys.size < 2; i++) {
      await ask("claude-short");
      shortKeys.add(signedWith(bedrock.received.at(-1)!.headers));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(shortKeys.size, 2, `keys signed: ${[...shortKeys]}`);
    assert.ok((await runs(counters.short)) >= 2);
    assert.deepEqual(bedrock.rejected, []);

    // A profile that does not exist: an attempt error that names it, never a hang.
    const failed = await ask("claude-missing").catch((err) => err);
    assert.ok(failed instanceof Anthropic.APIError);
    assert.match(
      String(failed.message),
      /missing: auth: AWS profile \\"nope\\" gave no credentials: Could not load credentials/,
    );

    // The admin page's identity: the SSO role's ARN, the static user's; never a secret.
    const ssoId = await identity(detour, "sso");
    assert.equal(
      ssoId.identity,
      "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ClaudeUser_0123/dev@example.com",
    );
    assert.equal(ssoId.account, "111122223333");
    assert.equal(ssoId.source, 'AWS profile "sso"');
    const staticId = await identity(detour, "static");
    assert.equal(staticId.identity, "arn:aws:iam::777788889999:user/detour");
    const text = JSON.stringify([ssoId, staticId]);
    for (const secret of [SSO_KEYS.secretAccessKey, SSO_KEYS.sessionToken, "sso-portal"]) {
      assert.ok(!text.includes(secret));
    }
    assert.deepEqual(sts.rejected, []);
  } finally {
    await closeAll(detour, bedrock, sso, sts);
    await Deno.remove(home, { recursive: true });
  }
});

/** A Vertex provider on the mock with the Application Default Credentials. */
function vertexProvider(vertexUrl: string) {
  return {
    id: "vertex",
    type: "vertex",
    baseUrl: vertexUrl,
    region: "us-east5",
    projectId: "detour-adc-project",
    googleCredentials: "default",
  };
}

/** Two Vertex requests through Detour, then the identity the admin API reports. */
async function askVertexTwice(detour: DetourProcess) {
  const client = new Anthropic({ baseURL: detour.url, apiKey: "sk-unused", maxRetries: 0 });
  for (let i = 0; i < 2; i++) {
    const msg = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(msg.content[0].type === "text" && msg.content[0].text, "hello from vertex");
  }
  return await identity(detour, "vertex");
}

Deno.test("vertex googleCredentials default: gcloud's authorized-user file against a mock token endpoint", async () => {
  const home = await Deno.makeTempDir({ prefix: "detour-home-" });
  const google = mockGoogleUserToken({
    clientId: "764086051850-test.apps.googleusercontent.com",
    clientSecret: "d-FL95Q19q7MQmFpd7hHD0Ty",
    refreshToken: "1//0g-user-refresh-token",
    email: "dev@example.com",
  });
  const vertex = mockVertex({ tokens: () => google.issued });
  // What `gcloud auth application-default login` writes, with the token endpoint on loopback.
  await Deno.mkdir(`${home}/.config/gcloud`, { recursive: true });
  await Deno.writeTextFile(
    `${home}/.config/gcloud/application_default_credentials.json`,
    JSON.stringify({
      account: "",
      client_id: "764086051850-test.apps.googleusercontent.com",
      client_secret: "d-FL95Q19q7MQmFpd7hHD0Ty",
      quota_project_id: "detour-adc-project",
      refresh_token: "1//0g-user-refresh-token",
      type: "authorized_user",
      universe_domain: "googleapis.com",
      token_uri: `${google.url}/token`,
    }),
  );
  const detour = await startWith([vertexProvider(vertex.url)], {}, home);
  try {
    const id = await askVertexTwice(detour);
    // One refresh serves both requests (cached like a service account's token).
    assert.equal(google.refreshes, 1);
    assert.deepEqual(google.rejected, []);
    assert.equal(vertex.received.length, 2);
    assert.match(vertex.received[0].path, /projects\/detour-adc-project\/locations\/us-east5\//);
    assert.deepEqual(id, {
      provider: "vertex",
      source: "ADC: authorized_user",
      identity: "dev@example.com",
    });
  } finally {
    await closeAll(detour, vertex, google);
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("vertex googleCredentials default: GOOGLE_APPLICATION_CREDENTIALS names a service-account key", async () => {
  const home = await Deno.makeTempDir({ prefix: "detour-home-" });
  const key: { publicKey?: CryptoKey; email: string } = { email: "" };
  const google = mockGoogleToken({
    publicKey: () => key.publicKey!,
    clientEmail: () => key.email,
  });
  const sa = await makeServiceAccount(`${google.url}/token`);
  key.publicKey = sa.publicKey;
  key.email = sa.json.client_email;
  await Deno.writeTextFile(`${home}/sa.json`, JSON.stringify(sa.json));
  const vertex = mockVertex({ tokens: () => google.issued });
  const detour = await startWith([vertexProvider(vertex.url)], {
    GOOGLE_APPLICATION_CREDENTIALS: `${home}/sa.json`,
  }, home);
  try {
    const id = await askVertexTwice(detour);
    assert.equal(google.exchanges, 1);
    assert.deepEqual(google.rejected, []);
    assert.deepEqual(id, {
      provider: "vertex",
      source: "ADC: service account key",
      identity: sa.json.client_email,
    });
  } finally {
    await closeAll(detour, vertex, google);
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("vertex googleCredentials default: the metadata server's service account", async () => {
  const home = await Deno.makeTempDir({ prefix: "detour-home-" });
  const metadata = mockGceMetadata({ email: "detour@detour-adc-project.iam.gserviceaccount.com" });
  const vertex = mockVertex({ tokens: () => metadata.issued });
  const detour = await startWith([vertexProvider(vertex.url)], {
    METADATA_SERVER_DETECTION: "assume-present",
    GCE_METADATA_HOST: `127.0.0.1:${metadata.port}`,
  }, home);
  try {
    const id = await askVertexTwice(detour);
    assert.equal(metadata.tokenCalls, 1);
    assert.deepEqual(id, {
      provider: "vertex",
      source: "ADC: compute",
      identity: "detour@detour-adc-project.iam.gserviceaccount.com",
    });
  } finally {
    await closeAll(detour, vertex, metadata);
    await Deno.remove(home, { recursive: true });
  }
});
