/**
 * Two Detour processes on one KV file (one machine behind a load balancer): a config PUT, a new
 * and a revoked access key, a cooldown and a spent quota on one reach the other within about a
 * second (waits are bounded and generous; nothing here times them).
 */
import assert from "node:assert/strict";
import { startDetourProcess } from "./helpers/detour_process.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  closeAll,
  mockUpstream,
} from "./helpers/harness.ts";

const ADMIN = "test-admin-token-0123456789";
const ACCESS = "dtr_multi_process_env_key_0123456789";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms for at most 10 s (a generous bound: the goal is ~1 s). */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`${what}: not seen by the other process within 10 s`);
}

const admin = (url: string, path: string, init: RequestInit = {}) =>
  fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
  });

const ask = (url: string, headers: Record<string, string>) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify({
      model: "claude-sonnet-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    }),
  });

/**
 * `flaky` (a stored key) answers 529 overloaded (https://docs.anthropic.com/en/api/errors) so it
 * cools down; `metered` has a 10-token daily quota; `backup` answers.
 */
async function setup() {
  const flaky = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "Overloaded"));
  const metered = mockUpstream((_req, body) =>
    Response.json({
      ...anthropicMessage("from metered", JSON.parse(body).model),
      usage: { input_tokens: 50, output_tokens: 5 },
    })
  );
  const backup = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("from backup", JSON.parse(body).model))
  );
  const dir = await Deno.makeTempDir();
  const config = {
    providers: [
      {
        id: "flaky",
        type: "anthropic",
        baseUrl: flaky.url,
        keys: ["sk-flaky-0123456789"],
        cooldownSeconds: 600,
      },
      {
        id: "metered",
        type: "anthropic",
        baseUrl: metered.url,
        keys: ["sk-metered-0123456789"],
        quota: { tokens: 10, period: "day", thresholdPercent: 100 },
      },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: ["sk-backup-0123456789"] },
    ],
  };
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  const env = {
    KV_PATH: `${dir}/shared.kv`,
    CONFIG_FILE: `${dir}/config.json`,
    ACCESS_KEYS: ACCESS,
  };
  const a = await startDetourProcess(backup.url, env);
  const b = await startDetourProcess(backup.url, env);
  return {
    a,
    b,
    flaky,
    metered,
    backup,
    close: async () => {
      await closeAll(a, b, flaky, metered, backup);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("two processes on one KV file share config, access keys, cooldowns and quotas", async () => {
  const t = await setup();
  try {
    // A config PUT on A reaches B.
    const current = await (await admin(t.a.url, "/admin/api/config")).json();
    const put = await admin(t.a.url, "/admin/api/config", {
      method: "PUT",
      body: JSON.stringify({ ...current, cooldownSeconds: 77 }),
    });
    assert.equal(put.status, 200, await put.clone().text());
    await put.body?.cancel();
    await eventually("the config PUT", async () => {
      const seen = await (await admin(t.b.url, "/admin/api/config")).json();
      return seen.cooldownSeconds === 77;
    });

    // A request through A cools `flaky` down and spends `metered`'s quota; B then skips both.
    const first = await ask(t.a.url, { "x-detour-key": ACCESS });
    assert.equal(first.headers.get("x-detour-provider"), "metered");
    await first.body?.cancel();
    assert.equal(t.flaky.received.length, 1);
    await eventually("the cooldown and the spent quota", async () => {
      const status = await (await admin(t.b.url, "/admin/api/status")).json() as {
        providers: { id: string; cooldownUntil?: string | null; quota?: { exhausted: boolean } }[];
      };
      const health = await (await admin(t.b.url, "/health")).json() as {
        coolingDown?: { id: string }[];
      };
      const cooling = (health.coolingDown ?? []).some((p) => p.id === "flaky");
      const spent = status.providers.find((p) => p.id === "metered")?.quota?.exhausted === true;
      return cooling && spent;
    });
    const second = await ask(t.b.url, { "x-detour-key": ACCESS });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("x-detour-provider"), "backup");
    await second.body?.cancel();
    assert.equal(t.flaky.received.length, 1, "B sent to a provider A had cooled down");
    assert.equal(t.metered.received.length, 1, "B spent a quota A had used up");
    // An access key created on A works on B; revoked on A, B refuses it (`backup` answers now).
    const created = await admin(t.a.url, "/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "laptop" }),
    });
    assert.equal(created.status, 201);
    const { id, key } = await created.json() as { id: string; key: string };
    await eventually("the new access key", async () => {
      const res = await ask(t.b.url, { "x-detour-key": key });
      await res.body?.cancel();
      return res.status === 200;
    });
    const revoked = await admin(t.a.url, `/admin/api/access-keys/${id}`, { method: "DELETE" });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    await eventually("the revoked access key", async () => {
      const res = await ask(t.b.url, { "x-detour-key": key });
      await res.body?.cancel();
      return res.status === 403;
    });
  } finally {
    await t.close();
  }
});
