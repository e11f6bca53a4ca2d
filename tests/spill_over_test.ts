/**
 * Issue 14, part 1: Claude subscription limits seen and used. A mocked Anthropic upstream answers
 * with the unified rate-limit headers in their real wire shape (utilization a 0..1 fraction,
 * resets in Unix epoch seconds: https://github.com/router-for-me/CLIProxyAPI/pull/3169 ,
 * https://github.com/anthropics/claude-code/issues/42108); an API key's answers carry the
 * standard family (https://docs.anthropic.com/en/api/rate-limits#response-headers). The gauges
 * drive spill-over (the next request goes to the next provider, `x-detour-attempts` says why),
 * the return after the reset (the board's clock), two instances on one KV, /metrics, the admin
 * API and the webhook.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicMessage,
  anthropicRefusal,
  closeAll,
  mockUpstream,
  type RunningDetour,
  serve,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";
import type { ConfigInput } from "../lib/config/schema.ts";
import { mockClaudeOAuth, mockSubscriptionApi } from "./helpers/cloud_mocks.ts";
import { parseReset, readGauges, windowOver } from "../lib/usage/ratelimit_headers.ts";

const HOUR = 3_600_000;
/** A subscription login's token as Claude Code sends it (Authorization: Bearer). */
const OAUTH_TOKEN = "sk-ant-oat01-spill-test-token-0123456789";

/** The unified headers of one subscription answer, as Anthropic sends them. */
function unifiedHeaders(u5h: number, u7d: number, now: number): Record<string, string> {
  const reset5h = Math.floor((now + 2 * HOUR) / 1000);
  const reset7d = Math.floor((now + 72 * HOUR) / 1000);
  const status = u5h >= 1 || u7d >= 1 ? "rejected" : u5h >= 0.9 ? "allowed_warning" : "allowed";
  return {
    "anthropic-ratelimit-unified-status": status,
    "anthropic-ratelimit-unified-reset": String(reset5h),
    "anthropic-ratelimit-unified-representative-claim": u7d > u5h ? "seven_day" : "five_hour",
    "anthropic-ratelimit-unified-fallback-percentage": "0.5",
    "anthropic-ratelimit-unified-5h-status": u5h >= 1 ? "rejected" : "allowed",
    "anthropic-ratelimit-unified-5h-reset": String(reset5h),
    "anthropic-ratelimit-unified-5h-utilization": String(u5h),
    "anthropic-ratelimit-unified-7d-status": u7d >= 1 ? "rejected" : "allowed",
    "anthropic-ratelimit-unified-7d-reset": String(reset7d),
    "anthropic-ratelimit-unified-7d-utilization": String(u7d),
  };
}

Deno.test("readGauges: unified windows as fractions with epoch-second resets; API-key windows", () => {
  const now = Date.parse("2026-12-05T12:00:00Z");
  const g = readGauges(new Headers(unifiedHeaders(0.42, 0.3, now)), now)!;
  assert.equal(g.status, "allowed");
  assert.equal(g.claim, "five_hour");
  assert.equal(g.windows["5h"]?.utilization, 0.42);
  assert.equal(g.windows["5h"]?.resetsAt, Math.floor((now + 2 * HOUR) / 1000) * 1000);
  assert.equal(g.windows["7d"]?.utilization, 0.3);
  assert.equal(windowOver(g, 0.4, now)?.window, "5h");
  assert.equal(windowOver(g, 0.5, now), null);
  // Once the window has reset, it no longer holds anything back.
  assert.equal(windowOver(g, 0.4, now + 3 * HOUR), null);
  // An API key: remaining counts and RFC 3339 resets.
  const k = readGauges(
    new Headers({
      "anthropic-ratelimit-requests-limit": "1000",
      "anthropic-ratelimit-requests-remaining": "250",
      "anthropic-ratelimit-requests-reset": "2026-12-05T12:00:30Z",
      "anthropic-ratelimit-tokens-limit": "96000",
      "anthropic-ratelimit-tokens-remaining": "96000",
      "anthropic-ratelimit-tokens-reset": "2026-12-05T12:00:01Z",
    }),
    now,
  )!;
  assert.equal(k.windows.requests?.utilization, 0.75);
  assert.equal(k.windows.requests?.resetsAt, Date.parse("2026-12-05T12:00:30Z"));
  assert.equal(k.windows.tokens?.utilization, 0);
  assert.equal(readGauges(new Headers({ "content-type": "application/json" }), now), null);
  assert.equal(parseReset("1764936000"), 1764936000_000);
  assert.equal(parseReset("nonsense"), null);
});

/** A subscription-like upstream whose gauges the test sets; it checks what Anthropic checks. */
function subscriptionUpstream(gauge: { u5h: number; u7d: number; now: () => number }) {
  return mockUpstream((req) => {
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    return Response.json(anthropicMessage("from the subscription"), {
      headers: unifiedHeaders(gauge.u5h, gauge.u7d, gauge.now()),
    });
  });
}

function backupUpstream() {
  return mockUpstream((req) => {
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    return Response.json(anthropicMessage("from the backup"), {
      headers: {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": new Date(Date.now() + 60_000).toISOString(),
      },
    });
  });
}

function chainOf(primaryUrl: string, backupUrl: string, extra: Partial<ConfigInput> = {}) {
  return {
    providers: [
      { id: "claude", type: "anthropic", baseUrl: primaryUrl, passthrough: true, spillAt: 0.95 },
      { id: "backup", type: "anthropic", baseUrl: backupUrl, keys: ["sk-ant-api03-backup-key"] },
    ],
    ...extra,
  } as ConfigInput;
}

const ask = (client: Anthropic) =>
  client.messages.create({
    model: "claude-sonnet-5",
    max_tokens: 16,
    messages: [{ role: "user", content: "hi" }],
  }).withResponse();

/** A client of `d` carrying the subscription login (Authorization: Bearer). */
const clientOf = (d: RunningDetour) =>
  new Anthropic({ baseURL: d.url, authToken: OAUTH_TOKEN, apiKey: null, maxRetries: 0 });

Deno.test("spill-over: past spillAt the next request goes to the next provider, shared by two instances, and comes back after the reset", async () => {
  let clock = Date.now();
  const gauge = { u5h: 0.5, u7d: 0.2, now: () => clock };
  const primary = subscriptionUpstream(gauge);
  const backup = backupUpstream();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  const a = await startDetour(chainOf(primary.url, backup.url), {}, await Deno.openKv(path));
  const b = await startDetour(chainOf(primary.url, backup.url), {}, await Deno.openKv(path));
  for (const d of [a, b]) d.deps.ratelimits.clock = () => clock;
  try {
    // Below the mark: the subscription serves, and its gauges are read.
    let { response } = await ask(clientOf(a));
    assert.equal(response.headers.get("x-detour-provider"), "claude");
    gauge.u5h = 0.97;
    ({ response } = await ask(clientOf(a)));
    assert.equal(response.headers.get("x-detour-provider"), "claude");
    assert.equal(primary.received.length, 2);

    // The other instance learns it through KV (flushed in a batch, re-read in the background).
    await a.deps.ratelimits.flush();
    await b.deps.ratelimits.sync();
    const { data, response: spilled } = await ask(clientOf(b));
    assert.equal(spilled.headers.get("x-detour-provider"), "backup");
    assert.match(spilled.headers.get("x-detour-attempts")!, /^claude spill:5h 0ms, backup 200 /);
    assert.equal((data.content[0] as { text: string }).text, "from the backup");
    assert.equal(primary.received.length, 2, "the spilled subscription was not called");
    // The log line of that request says why.
    await waitFor(() => b.logs.some((l) => l.includes('"outcome":"spill:5h"')), 3000, "log");
    const line = JSON.parse(b.logs.find((l) => l.includes('"outcome":"spill:5h"'))!);
    assert.match(line.attempts[0].error, /5h window 97% used: skipped until /);
    assert.ok(!b.logs.join("\n").includes(OAUTH_TOKEN));

    // Still before the reset on instance A as well.
    ({ response } = await ask(clientOf(a)));
    assert.equal(response.headers.get("x-detour-provider"), "backup");

    // Past the 5-hour reset, traffic returns by itself.
    clock += 2 * HOUR + 1000;
    gauge.u5h = 0.01;
    ({ response } = await ask(clientOf(b)));
    assert.equal(response.headers.get("x-detour-provider"), "claude");
    assert.equal(response.headers.get("x-detour-attempts")?.includes("spill"), false);
    assert.equal(primary.received.length, 3);
  } finally {
    await closeAll(a, b, primary, backup);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("spill-over: a weekly window past the mark holds until its own (later) reset", async () => {
  let clock = Date.now();
  const gauge = { u5h: 0.1, u7d: 0.99, now: () => clock };
  const primary = subscriptionUpstream(gauge);
  const backup = backupUpstream();
  const d = await startDetour(chainOf(primary.url, backup.url));
  d.deps.ratelimits.clock = () => clock;
  try {
    await ask(clientOf(d));
    let { response } = await ask(clientOf(d));
    assert.match(response.headers.get("x-detour-attempts")!, /^claude spill:7d 0ms, backup 200 /);
    clock += 3 * HOUR; // past the 5-hour reset, not the weekly one
    ({ response } = await ask(clientOf(d)));
    assert.equal(response.headers.get("x-detour-provider"), "backup");
    clock += 70 * HOUR;
    gauge.u7d = 0.1;
    ({ response } = await ask(clientOf(d)));
    assert.equal(response.headers.get("x-detour-provider"), "claude");
  } finally {
    await closeAll(d, primary, backup);
  }
});

Deno.test("spill-over: off without spillAt; with every credential spilled the soonest is still tried", async () => {
  const gauge = { u5h: 0.99, u7d: 0.2, now: () => Date.now() };
  const primary = subscriptionUpstream(gauge);
  const d = await startDetour({
    providers: [{ id: "claude", type: "anthropic", baseUrl: primary.url, passthrough: true }],
  });
  try {
    await ask(clientOf(d));
    const { response } = await ask(clientOf(d));
    assert.equal(response.headers.get("x-detour-provider"), "claude");
    assert.equal(response.headers.get("x-detour-attempts")?.includes("spill"), false);
    // Now with spillAt, but nothing else in the chain: never answer without trying.
    const config = structuredClone(d.deps.live.config);
    config.providers[0].spillAt = 0.9;
    assert.ok((await d.deps.live.replace(config, d.deps.live.version)).ok);
    const again = await ask(clientOf(d));
    assert.equal(again.response.headers.get("x-detour-provider"), "claude");
    assert.match(
      again.response.headers.get("x-detour-attempts")!,
      /^claude spill:5h 0ms, claude 200/,
    );
  } finally {
    await closeAll(d, primary);
  }
});

Deno.test("gauges: the admin API and /metrics show them per credential by label, never the token", async () => {
  const gauge = { u5h: 0.42, u7d: 0.3, now: () => Date.now() };
  const primary = subscriptionUpstream(gauge);
  const backup = backupUpstream();
  const d = await startDetour(chainOf(primary.url, backup.url));
  try {
    await ask(clientOf(d));
    // The backup's stored API key answers with the standard family.
    const direct = new Anthropic({ baseURL: d.url, apiKey: "sk-ant-api03-x", maxRetries: 0 });
    const config = structuredClone(d.deps.live.config);
    config.providers[0].enabled = false;
    assert.ok((await d.deps.live.replace(config, d.deps.live.version)).ok);
    await ask(direct).catch(() => {});
    const auth = { authorization: `Bearer ${d.adminToken}` };
    const res = await fetch(`${d.url}/admin/api/limits`, { headers: auth });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(OAUTH_TOKEN) && !text.includes("sk-ant-api03-backup-key"));
    const body = JSON.parse(text) as {
      credentials: {
        provider: string;
        credential: string;
        kind: string;
        windows: { name: string; utilization: number; resetsAt: string | null }[];
      }[];
    };
    const sub = body.credentials.find((c) => c.provider === "claude")!;
    assert.equal(sub.kind, "client");
    assert.match(sub.credential, /^client [0-9a-f]{8}$/);
    assert.deepEqual(sub.windows.map((w) => [w.name, w.utilization]), [["5h", 0.42], ["7d", 0.3]]);
    assert.ok(sub.windows.every((w) => w.resetsAt && Date.parse(w.resetsAt) > Date.now()));
    const key = body.credentials.find((c) => c.provider === "backup")!;
    assert.equal(key.kind, "key");
    assert.deepEqual(key.windows.map((w) => [w.name, w.utilization]), [["requests", 0.02]]);

    const metrics = await (await fetch(`${d.url}/metrics`, { headers: auth })).text();
    const label = `provider="claude",credential="${sub.credential}",window="5h"`;
    assert.ok(metrics.includes(`detour_ratelimit_utilization{${label}} 0.42`), metrics);
    assert.match(
      metrics,
      new RegExp(`detour_ratelimit_reset_timestamp_seconds\\{${label}\\} \\d+`),
    );
    assert.ok(metrics.includes('window="7d"} 0.3'));
    assert.ok(!metrics.includes(OAUTH_TOKEN));
  } finally {
    await closeAll(d, primary, backup);
  }
});

Deno.test("webhook: fires once when a window crosses limitThreshold", async () => {
  const hooks: { type: string; details: Record<string, unknown>; text: string }[] = [];
  const hook = serve(async (req) => {
    hooks.push(await req.json());
    return new Response(null, { status: 204 });
  });
  const gauge = { u5h: 0.5, u7d: 0.2, now: () => Date.now() };
  const primary = subscriptionUpstream(gauge);
  const backup = backupUpstream();
  const d = await startDetour(
    chainOf(primary.url, backup.url, { webhook: { url: hook.url, limitThreshold: 0.8 } }),
  );
  try {
    await ask(clientOf(d));
    gauge.u5h = 0.85;
    await ask(clientOf(d));
    gauge.u5h = 0.9;
    await ask(clientOf(d));
    await d.deps.webhook.flush();
    await waitFor(() => hooks.length > 0, 3000, "the webhook");
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].type, "detour.limit_threshold");
    assert.equal(hooks[0].details.window, "5h");
    assert.equal(hooks[0].details.utilization, 0.85);
    assert.match(hooks[0].text, /claude \(client [0-9a-f]{8}\) has used 85% of its 5h window/);
    assert.ok(!JSON.stringify(hooks).includes(OAUTH_TOKEN));
  } finally {
    await closeAll(d, primary, backup, hook);
  }
});

Deno.test("spill-over: a stored Claude subscription's own gauges send the next request to the API key", async () => {
  const RT = "sk-ant-ort01-stored-refresh-0123456789abcdef";
  const AT = "sk-ant-oat01-stored-access-0123456789abcdef";
  const expires = Date.now() + HOUR;
  const oauth = mockClaudeOAuth({ refreshToken: RT, accessToken: AT, accessExpiresAt: expires });
  const gauge = { u5h: 0.2, u7d: 0.96, now: () => Date.now() };
  const api = mockSubscriptionApi(
    () => oauth.access,
    () => unifiedHeaders(gauge.u5h, gauge.u7d, gauge.now()),
  );
  const backup = backupUpstream();
  const d = await startDetour({
    providers: [
      {
        id: "max",
        type: "anthropic",
        baseUrl: api.url,
        oauthRefreshToken: RT,
        oauthAccessToken: AT,
        oauthExpiresAt: expires,
        oauthTokenUrl: `${oauth.url}/v1/oauth/token`,
        spillAt: 0.95,
      },
      { id: "paid", type: "anthropic", baseUrl: backup.url, keys: ["sk-ant-api03-paid-key-x"] },
    ],
  });
  const client = new Anthropic({ baseURL: d.url, apiKey: "sk-ant-api03-unused", maxRetries: 0 });
  try {
    let { response } = await ask(client);
    assert.equal(response.headers.get("x-detour-provider"), "max");
    ({ response } = await ask(client));
    assert.equal(response.headers.get("x-detour-provider"), "paid");
    assert.match(response.headers.get("x-detour-attempts")!, /^max spill:7d 0ms, paid 200 /);
    assert.equal(api.received.length, 1);
    const views = JSON.parse(
      await (await fetch(`${d.url}/admin/api/limits`, {
        headers: { authorization: `Bearer ${d.adminToken}` },
      })).text(),
    ).credentials as { provider: string; credential: string; spill: { window: string } | null }[];
    const max = views.find((v) => v.provider === "max")!;
    assert.equal(max.credential, "max");
    assert.equal(max.spill?.window, "7d");
  } finally {
    await closeAll(d, api, oauth, backup);
  }
});
