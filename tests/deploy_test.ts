/**
 * Deno Deploy's unsafe set-ups, detected at boot from DENO_DEPLOYMENT_ID (set here in the env
 * handed to boot, as Deploy sets it: https://docs.deno.com/deploy/reference/env_vars_and_contexts/):
 * no ADMIN_TOKEN (nothing generated or printed; login and API say what to set) and no KV database
 * (Detour runs on an in-memory store; /health and the admin page say so; the proxy keeps serving).
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { boot, openKv } from "../lib/boot.ts";
import { readEnv } from "../lib/config/env.ts";
import {
  anthropicMessage,
  anthropicRefusal,
  closeAll,
  mockUpstream,
  startDetour,
} from "./helpers/harness.ts";
import { login } from "./helpers/admin_session.ts";

const CLIENT_KEY = "sk-ant-api03-client-own-key-0123456789abcdef";
const DEPLOY = { DENO_DEPLOYMENT_ID: "dpl-test-0123", DENO_DEPLOY: "true" };

/** A passthrough provider in front of a mock Anthropic API. */
function passthroughSetup() {
  const upstream = mockUpstream((req) =>
    anthropicRefusal(req) ?? Response.json(anthropicMessage("from upstream"))
  );
  const config = {
    providers: [{
      id: "primary",
      type: "anthropic" as const,
      baseUrl: upstream.url,
      passthrough: true,
    }],
  };
  return { upstream, config };
}

Deno.test("Deploy without ADMIN_TOKEN: login and admin API say what to set, /health is loud, the proxy serves", async () => {
  const { upstream, config } = passthroughSetup();
  const detour = await startDetour(config, { ...DEPLOY, ADMIN_TOKEN: "" });
  try {
    const page = await fetch(`${detour.url}/admin/login`);
    assert.equal(page.status, 503);
    const html = await page.text();
    assert.match(html, /ADMIN_TOKEN is not set/);
    assert.match(html, /deno deploy env add ADMIN_TOKEN &lt;token> --secret/);
    assert.match(html, /disabled/); // the form cannot be sent

    const posted = await fetch(`${detour.url}/admin/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: detour.url },
      body: new URLSearchParams({ token: "anything-at-all-0123456789" }),
    });
    assert.equal(posted.status, 503);
    assert.match(await posted.text(), /ADMIN_TOKEN is not set/);

    const api = await fetch(`${detour.url}/admin/api/config`, {
      headers: { authorization: "Bearer anything-at-all-0123456789" },
    });
    assert.equal(api.status, 503);
    const body = await api.json();
    assert.equal(body.error.code, "admin_token_missing");
    assert.match(body.error.message, /deno deploy env add ADMIN_TOKEN/);

    const health = await (await fetch(`${detour.url}/health`)).json();
    assert.equal(health.status, "misconfigured");
    const codes = health.problems.map((p: { code: string }) => p.code).sort();
    assert.deepEqual(codes, ["admin_token_missing"]);

    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const answer = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((answer.content[0] as Anthropic.TextBlock).text, "from upstream");
    const sent = upstream.received[0].headers;
    assert.ok(
      [sent.get("x-api-key"), sent.get("authorization")].some((v) => v?.includes(CLIENT_KEY)),
    );
    assert.ok(!detour.logs.some((l) => /dta_/.test(l)), "no admin token in the logs");
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("Deploy without ADMIN_TOKEN: no token is generated, announced or stored", async () => {
  const kv = await Deno.openKv(":memory:");
  const announced: string[] = [];
  const deps = await boot(
    readEnv({ KV_PATH: ":memory:", ...DEPLOY }),
    kv,
    (t) => announced.push(t),
    () => {},
  );
  try {
    assert.deepEqual(announced, []);
    assert.equal(await deps.adminToken.verify(""), false);
    const stored = [];
    for await (const e of kv.list({ prefix: [] })) stored.push(e.key.join("/"));
    assert.ok(!stored.some((k) => k.includes("token")), `no token key: ${stored.join(", ")}`);
  } finally {
    await deps.close();
    kv.close();
  }
});

Deno.test("locally without ADMIN_TOKEN the token is still generated and announced once; /health is ok", async () => {
  const kv = await Deno.openKv(":memory:");
  const announced: string[] = [];
  const deps = await boot(readEnv({ KV_PATH: ":memory:" }), kv, (t) => announced.push(t), () => {});
  try {
    assert.equal(announced.length, 1);
    assert.ok(await deps.adminToken.verify(announced[0]));
    assert.deepEqual(deps.deployProblems, []);
  } finally {
    await deps.close();
    kv.close();
  }
});

Deno.test("Deploy with ADMIN_TOKEN but no KV database: /health and the admin page say so", async () => {
  const { upstream, config } = passthroughSetup();
  const env = readEnv({ ...DEPLOY });
  const kv = await openKv(env, () => Promise.reject(new Error("no database assigned")));
  const detour = await startDetour(config, DEPLOY, kv);
  try {
    const health = await (await fetch(`${detour.url}/health`)).json();
    assert.equal(health.status, "misconfigured");
    assert.deepEqual(health.problems.map((p: { code: string }) => p.code), ["kv_missing"]);
    assert.match(health.problems[0].message, /no database assigned/);
    assert.match(health.problems[0].message, /deno deploy database provision/);

    const { html } = await login(detour.url, detour.adminToken);
    assert.match(html, /data-problem="kv_missing"/);
    assert.match(html, /Unsafe on Deno Deploy/);

    // The proxy still serves passthrough traffic.
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const answer = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((answer.content[0] as Anthropic.TextBlock).text, "from upstream");
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("Deploy with a database: no KV problem is reported", async () => {
  const { upstream, config } = passthroughSetup();
  const detour = await startDetour(config, DEPLOY);
  try {
    const health = await (await fetch(`${detour.url}/health`)).json();
    assert.deepEqual(health, { status: "ok" });
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("off Deploy /health stays plain ok and the admin page shows no Deploy warning", async () => {
  const { upstream, config } = passthroughSetup();
  const detour = await startDetour(config);
  try {
    assert.deepEqual(await (await fetch(`${detour.url}/health`)).json(), { status: "ok" });
    const { html } = await login(detour.url, detour.adminToken);
    assert.doesNotMatch(html, /Unsafe on Deno Deploy/);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("openKv on Deploy: a failing Deno.openKv() leaves a working in-memory store", async () => {
  const env = readEnv({ ...DEPLOY });
  const kv = await openKv(env, () => Promise.reject(new Error("no database assigned")));
  try {
    await kv.set(["x"], 1);
    assert.equal((await kv.get(["x"])).value, 1);
  } finally {
    kv.close();
  }
});
