/**
 * A Claude subscription's OAuth credentials as a provider, against a mock OAuth token endpoint
 * that rotates refresh tokens and refuses a reused one, and a mock API that only takes live
 * access tokens: one refresh for many concurrent requests (and for two instances sharing KV),
 * renewal on a 401, a refused refresh that marks the provider unhealthy and falls back, Claude
 * Code's credentials file, and the billing path in logs and status.
 */
import assert from "node:assert/strict";
import { settle } from "./helpers/usage.ts";
import Anthropic from "@anthropic-ai/sdk";
import { ProviderSchema } from "../lib/config/schema.ts";
import type { ConfigInput, ProviderInput } from "../lib/config/schema.ts";
import { ClaudeOAuth, REFRESH_EARLY_MS } from "../lib/providers/claude_subscription.ts";
import { readOAuthTokens } from "../lib/store/oauth_store.ts";
import { anthropicMessage, mockUpstream, startDetour, waitFor } from "./helpers/harness.ts";
import { mockClaudeOAuth, mockSubscriptionApi } from "./helpers/cloud_mocks.ts";

const RT0 = "sk-ant-ort01-seed-refresh-token-0123456789abcdef";
const AT0 = "sk-ant-oat01-seed-access-token-0123456789abcdef";
const MODEL = "claude-sonnet-4-6";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(opts: {
  accessExpiresAt: number;
  validRefresh?: string;
  delayMs?: number;
  provider?: Partial<ProviderInput>;
  backup?: boolean;
}) {
  const oauth = mockClaudeOAuth({
    refreshToken: opts.validRefresh ?? RT0,
    accessToken: AT0,
    accessExpiresAt: opts.accessExpiresAt,
    delayMs: opts.delayMs,
  });
  const api = mockSubscriptionApi(() => oauth.access);
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("from the paid API key", JSON.parse(body).model))
  );
  const providers: ProviderInput[] = [{
    id: "max",
    type: "anthropic",
    baseUrl: api.url,
    oauthRefreshToken: RT0,
    oauthAccessToken: AT0,
    oauthExpiresAt: opts.accessExpiresAt,
    oauthTokenUrl: `${oauth.url}/v1/oauth/token`,
    ...opts.provider,
  }];
  if (opts.backup) {
    providers.push({
      id: "paid",
      type: "anthropic",
      baseUrl: backup.url,
      keys: ["sk-ant-api03-paid-key-0123456789abcdef"],
    });
  }
  const config: ConfigInput = { providers, cooldownSeconds: 0 };
  const detour = await startDetour(config);
  const client = new Anthropic({ baseURL: detour.url, apiKey: "unused-0123456789", maxRetries: 0 });
  let asked = 0;
  const ask = () => {
    asked++;
    return client.messages.create({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    }).withResponse();
  };
  const status = async () => {
    await settle(detour, asked);
    const res = await fetch(`${detour.url}/admin/api/status`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    });
    assert.equal(res.status, 200);
    return await res.json();
  };
  return {
    oauth,
    api,
    backup,
    detour,
    client,
    ask,
    status,
    close: async () => {
      await detour.close();
      await api.close();
      await oauth.close();
      await backup.close();
    },
  };
}

Deno.test("subscription: concurrent requests across an expiry cause exactly one refresh", async () => {
  const expiresAt = Date.now() + REFRESH_EARLY_MS + 700;
  const t = await setup({ accessExpiresAt: expiresAt, delayMs: 150 });
  try {
    // Before the refresh window: the seeded access token, no refresh.
    const before = await Promise.all(Array.from({ length: 4 }, t.ask));
    assert.ok(before.every((r) => r.response.status === 200));
    assert.equal(t.oauth.refreshes, 0);
    assert.deepEqual(new Set(t.api.tokensSeen), new Set([AT0]));
    const request = t.api.received[0];
    assert.match(request.headers.get("anthropic-beta") ?? "", /oauth-2025-04-20/);
    assert.equal(request.headers.get("x-api-key"), null);

    // Into the refresh window: a burst shares one refresh (the endpoint takes 150 ms).
    await sleep(expiresAt - REFRESH_EARLY_MS - Date.now() + 30);
    const during = await Promise.all(Array.from({ length: 16 }, t.ask));
    assert.ok(during.every((r) => r.response.status === 200));
    assert.equal(t.oauth.refreshes, 1);
    assert.equal(t.oauth.refused, 0);
    const fresh = t.api.tokensSeen.slice(4);
    assert.equal(new Set(fresh).size, 1);
    assert.notEqual(fresh[0], AT0);

    // The rotated pair lives in KV; the config document still holds only the seed.
    const { state } = await readOAuthTokens(t.detour.deps.kv, "max");
    assert.equal(state?.refreshToken, t.oauth.validRefresh);
    assert.equal(state?.accessToken, fresh[0]);
    assert.equal(state?.refreshes, 1);
    assert.equal(t.detour.deps.live.config.providers[0].oauthRefreshToken, RT0);
    const shown = await fetch(`${t.detour.url}/admin/api/config`, {
      headers: { authorization: `Bearer ${t.detour.adminToken}` },
    }).then((r) => r.text());
    assert.ok(!shown.includes(RT0) && !shown.includes(AT0) && !shown.includes(fresh[0]));
  } finally {
    await t.close();
  }
});

Deno.test("subscription: two instances sharing KV never spend the same refresh token", async () => {
  const oauth = mockClaudeOAuth({ refreshToken: RT0, delayMs: 100 });
  const path = await Deno.makeTempFile({ suffix: ".sqlite" });
  const kvA = await Deno.openKv(path);
  const kvB = await Deno.openKv(path);
  try {
    const provider = ProviderSchema.parse({
      id: "max",
      type: "anthropic",
      baseUrl: "https://api.anthropic.com",
      oauthRefreshToken: RT0,
      oauthAccessToken: AT0,
      oauthExpiresAt: Date.now() - 1000,
      oauthTokenUrl: oauth.url,
    });
    const a = new ClaudeOAuth(kvA);
    const b = new ClaudeOAuth(kvB);
    const first = await Promise.all([
      ...Array.from({ length: 5 }, () => a.accessToken(provider)),
      ...Array.from({ length: 5 }, () => b.accessToken(provider)),
    ]);
    assert.equal(new Set(first).size, 1);
    assert.equal(oauth.refreshes, 1);
    assert.equal(oauth.refused, 0);

    // Both see the API refuse that token at once (e.g. revoked): still one refresh.
    const second = await Promise.all([
      a.renewAfterRejection(provider, first[0]),
      b.renewAfterRejection(provider, first[0]),
      a.renewAfterRejection(provider, first[0]),
    ]);
    assert.equal(new Set(second).size, 1);
    assert.notEqual(second[0], first[0]);
    assert.equal(oauth.refreshes, 2);
    assert.equal(oauth.refused, 0);
    const { state } = await readOAuthTokens(kvA, "max");
    assert.equal(state?.refreshToken, oauth.validRefresh);
    assert.equal(state?.lease, null);
  } finally {
    kvA.close();
    kvB.close();
    await oauth.close();
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("subscription: a 401 renews the token once for all concurrent requests, which retry and succeed", async () => {
  const t = await setup({ accessExpiresAt: Date.now() + 3_600_000 });
  try {
    assert.equal((await t.ask()).response.status, 200);
    t.oauth.revoke(AT0);
    const results = await Promise.all(Array.from({ length: 6 }, t.ask));
    for (const r of results) {
      assert.equal(r.response.status, 200);
      assert.match(r.response.headers.get("x-detour-attempts")!, /^max 200 \d+ms$/);
    }
    assert.equal(t.oauth.refreshes, 1);
    assert.equal(t.oauth.refused, 0);
  } finally {
    await t.close();
  }
});

Deno.test("subscription: a refused refresh marks the provider unhealthy, falls back to the paid key, and shows it", async () => {
  const t = await setup({
    accessExpiresAt: Date.now() - 1000,
    validRefresh: "sk-ant-ort01-someone-else-rotated-it",
    backup: true,
  });
  try {
    const first = await t.ask();
    assert.equal(first.response.headers.get("x-detour-provider"), "paid");
    assert.match(first.response.headers.get("x-detour-attempts")!, /^max auth \d+ms, paid 200/);
    assert.equal(t.oauth.refused, 1);
    // Permanent: the next request does not hammer the token endpoint.
    await t.ask();
    assert.equal(t.oauth.refused, 1);

    // GET /admin/api/status: the subscription is unhealthy, with the reason, and paid by whom.
    const status = await t.status();
    const max = status.providers.find((p: { id: string }) => p.id === "max");
    const paid = status.providers.find((p: { id: string }) => p.id === "paid");
    assert.equal(max.billing, "subscription");
    assert.equal(paid.billing, "api_key");
    assert.equal(max.subscription.healthy, false);
    assert.match(
      max.subscription.error,
      /invalid_grant: Refresh token not found or invalid.*sign in again/,
    );
    assert.match(max.lastError, /^auth: Claude subscription token refresh failed/);

    await waitFor(() => t.detour.logs.some((l) => l.includes('"msg":"request"')), 2000, "log");
    const line = JSON.parse(t.detour.logs.find((l) => l.includes('"msg":"request"'))!);
    assert.equal(line.billing, "api_key");
    assert.equal(line.servedBy, "paid");
    assert.match(line.attempts[0].error, /Claude subscription token refresh failed/);

    // New credentials pasted into the config: the KV tokens are seeded anew and work again.
    t.oauth.validRefresh = "sk-ant-ort01-signed-in-again-0123456789";
    const config = structuredClone(t.detour.deps.live.config);
    config.providers[0].oauthRefreshToken = t.oauth.validRefresh;
    assert.ok((await t.detour.deps.live.replace(config, t.detour.deps.live.version)).ok);
    const again = await t.ask();
    assert.equal(again.response.headers.get("x-detour-provider"), "max");
    assert.equal(t.oauth.refreshes, 1);
    const healed = await t.status();
    assert.equal(healed.providers[0].subscription.healthy, true);
    assert.equal(healed.billing.api_key.served24h, 2);
    assert.equal(healed.billing.subscription.served24h, 1);
  } finally {
    await t.close();
  }
});

Deno.test("subscription: Claude Code's credentials file seeds the tokens, gets rotated ones back, and wins when newer", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/.credentials.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      claudeAiOauth: {
        accessToken: AT0,
        refreshToken: RT0,
        expiresAt: Date.now() - 1000,
        scopes: ["user:inference", "user:profile"],
        subscriptionType: "max",
      },
    }),
  );
  const t = await setup({
    accessExpiresAt: Date.now() - 1000,
    provider: {
      oauthRefreshToken: undefined,
      oauthAccessToken: undefined,
      oauthExpiresAt: undefined,
      oauthCredentialsFile: file,
    },
  });
  try {
    assert.equal((await t.ask()).response.status, 200);
    assert.equal(t.oauth.refreshes, 1);
    const written = JSON.parse(await Deno.readTextFile(file)).claudeAiOauth;
    assert.equal(written.refreshToken, t.oauth.validRefresh);
    assert.equal(written.subscriptionType, "max");
    assert.deepEqual(written.scopes, ["user:inference", "user:profile"]);
    assert.ok(written.expiresAt > Date.now());

    // Claude Code refreshes on its own and saves the result; then the API refuses our token.
    const cc = await fetch(`${t.oauth.url}/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: written.refreshToken,
        client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
      }),
    }).then((r) => r.json());
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        claudeAiOauth: {
          ...written,
          accessToken: cc.access_token,
          refreshToken: cc.refresh_token,
          expiresAt: Date.now() + cc.expires_in * 1000 + 60_000,
        },
      }),
    );
    t.oauth.revoke(written.accessToken);
    const res = await t.ask();
    assert.equal(res.response.status, 200);
    // Detour took the file's newer tokens instead of spending its own, now dead, refresh token.
    assert.equal(t.oauth.refreshes, 2);
    assert.equal(t.oauth.refused, 0);
    assert.equal(t.api.tokensSeen.at(-1), cc.access_token);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subscription: the request log and the status count which billing path served", async () => {
  const t = await setup({ accessExpiresAt: Date.now() + 3_600_000 });
  try {
    await t.ask();
    await waitFor(() => t.detour.logs.some((l) => l.includes('"msg":"request"')), 2000, "log");
    const line = JSON.parse(t.detour.logs.find((l) => l.includes('"msg":"request"'))!);
    assert.equal(line.billing, "subscription");
    const status = await t.status();
    assert.equal(status.providers[0].billing, "subscription");
    assert.equal(status.billing.subscription.served24h, 1);
    assert.equal(status.billing.api_key.served24h, 0);
    assert.ok(status.billing.subscription.lastServedAt);

    // The admin test button sends its one-token request with the subscription's token too.
    const probe = await fetch(`${t.detour.url}/admin/api/providers/max/test`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${t.detour.adminToken}`,
        "content-type": "application/json",
      },
      body: "{}",
    }).then((r) => r.json());
    assert.equal(probe.ok, true, JSON.stringify(probe));
    assert.equal(t.api.tokensSeen.at(-1), AT0);

    // GET /v1/models lists the subscription's models with its token.
    const models = await fetch(`${t.detour.url}/v1/models`, {
      headers: { "anthropic-version": "2023-06-01" },
    }).then((r) => r.json());
    assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["claude-opus-4-8"]);
    assert.equal(t.api.received.at(-1)!.path, "/v1/models");
    assert.equal(t.api.tokensSeen.at(-1), AT0);
  } finally {
    await t.close();
  }
});

Deno.test("subscription: a slow token endpoint does not hold a request past timeoutMs; the refresh still lands", async () => {
  const t = await setup({
    accessExpiresAt: Date.now() - 1000,
    delayMs: 700,
    backup: true,
    provider: { timeoutMs: 150, nonStreamingTimeoutMs: 150 },
  });
  try {
    const started = performance.now();
    const first = await t.ask();
    const ms = performance.now() - started;
    assert.equal(first.response.headers.get("x-detour-provider"), "paid");
    assert.match(first.response.headers.get("x-detour-attempts")!, /^max timeout \d+ms, paid 200/);
    assert.ok(ms < 600, `answered after ${Math.round(ms)} ms`);
    // The refresh went on for later requests: once it lands, the subscription serves again.
    const deadline = Date.now() + 3000;
    let stored = await readOAuthTokens(t.detour.deps.kv, "max");
    while (stored.state?.refreshes !== 1 && Date.now() < deadline) {
      await sleep(25);
      stored = await readOAuthTokens(t.detour.deps.kv, "max");
    }
    assert.equal(stored.state?.refreshToken, t.oauth.validRefresh);
    t.detour.deps.cooldowns.clear("p:max");
    const second = await t.ask();
    assert.equal(second.response.headers.get("x-detour-provider"), "max");
    assert.equal(t.oauth.refreshes, 1);
  } finally {
    await t.close();
  }
});
