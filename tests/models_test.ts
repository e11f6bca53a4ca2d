/** GET /v1/models: the upstream list of pass-through providers plus the model-map names. */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { closeAll, mockUpstream, startDetour } from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-models-client-key-0123456789";
const STORED_KEY = "sk-models-stored-key-0123456789";
const ACCESS = "dtr_test_access_key_0123456789";

/** An upstream that answers GET /v1/models with an Anthropic list of `ids`. */
function modelsUpstream(ids: string[], status = 200) {
  return mockUpstream((req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || url.pathname !== "/v1/models") {
      return Response.json({ type: "error", error: { type: "not_found_error", message: "no" } }, {
        status: 404,
      });
    }
    if (status !== 200) {
      return Response.json({ type: "error", error: { type: "api_error", message: "down" } }, {
        status,
      });
    }
    const data = ids.map((id) => ({
      type: "model",
      id,
      display_name: id.toUpperCase(),
      created_at: "2026-01-01T00:00:00Z",
    }));
    return Response.json({
      data,
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids.at(-1) ?? null,
    });
  });
}

interface ModelList {
  data: { type: string; id: string; display_name: string; created_at: string }[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

function assertListFormat(list: ModelList) {
  assert.ok(Array.isArray(list.data));
  assert.equal(list.has_more, false);
  assert.equal(list.first_id, list.data[0]?.id ?? null);
  assert.equal(list.last_id, list.data.at(-1)?.id ?? null);
  for (const m of list.data) {
    assert.equal(m.type, "model");
    assert.equal(typeof m.id, "string");
    assert.equal(typeof m.display_name, "string");
    assert.ok(!Number.isNaN(Date.parse(m.created_at)), `created_at: ${m.created_at}`);
  }
}

Deno.test("GET /v1/models: the passthrough upstream's models plus the other providers' map names", async () => {
  const primary = modelsUpstream(["claude-opus-4-8", "claude-sonnet-5", "claude-haiku-4-5"]);
  const backup = modelsUpstream(["glm-4.6", "glm-4.5-air"]);
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      {
        id: "backup",
        type: "anthropic",
        baseUrl: backup.url,
        keys: [STORED_KEY],
        modelMap: {
          "fast": "glm-4.5-air",
          "claude-*haiku*": "glm-4.5-air",
          "deep-think": "glm-4.6",
          "claude-sonnet-5": "glm-4.6",
          "*": "glm-4.6",
        },
      },
    ],
  });
  try {
    const res = await fetch(`${detour.url}/v1/models`, {
      headers: { "x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01" },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(res.headers.get("x-detour-provider"), "primary,backup");
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
    const list = await res.json() as ModelList;
    assertListFormat(list);
    // Upstream names first, then the exact map names (globs are not model names), no repeats.
    assert.deepEqual(list.data.map((m) => m.id), [
      "claude-opus-4-8",
      "claude-sonnet-5",
      "claude-haiku-4-5",
      "fast",
      "deep-think",
    ]);

    // The passthrough upstream was asked with the client's own credential.
    assert.equal(primary.received.length, 1);
    assert.equal(primary.received[0].method, "GET");
    assert.equal(primary.received[0].path, "/v1/models");
    assert.equal(primary.received[0].headers.get("x-api-key"), CLIENT_KEY);
    // A provider with a model map serves only its map names: its upstream is not asked.
    assert.equal(backup.received.length, 0);

    // The SDK reads the same list.
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      ids.push(m.id);
      if (ids.length > 50) break;
    }
    assert.deepEqual(ids, [
      "claude-opus-4-8",
      "claude-sonnet-5",
      "claude-haiku-4-5",
      "fast",
      "deep-think",
    ]);
    assert.equal(primary.received[1].headers.get("authorization"), `Bearer ${CLIENT_KEY}`);
  } finally {
    await closeAll(detour, primary, backup);
  }
});

Deno.test("GET /v1/models: a stored-key provider without a map lists its upstream with its own key", async () => {
  const primary = modelsUpstream([], 500);
  const backup = modelsUpstream(["kimi-k2", "kimi-k2-turbo"]);
  const off = modelsUpstream(["never-listed"]);
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      { id: "off", type: "anthropic", baseUrl: off.url, keys: ["sk-off"], enabled: false },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
    ],
  });
  try {
    const res = await fetch(`${detour.url}/v1/models`, { headers: { "x-api-key": CLIENT_KEY } });
    assert.equal(res.status, 200, "a failing upstream list must not fail the whole list");
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    const list = await res.json() as ModelList;
    assertListFormat(list);
    assert.deepEqual(list.data.map((m) => m.id), ["kimi-k2", "kimi-k2-turbo"]);
    assert.equal(backup.received[0].headers.get("x-api-key"), STORED_KEY);
    const seen = [...backup.received[0].headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    assert.ok(!seen.includes(CLIENT_KEY), "the client's key went to a stored-key provider");
    assert.equal(off.received.length, 0, "a disabled provider was asked");
  } finally {
    await closeAll(detour, primary, backup, off);
  }
});

Deno.test("GET /v1/models: stored keys are not used to list models for an unauthorised client", async () => {
  const primary = modelsUpstream(["claude-sonnet-5"]);
  const backup = modelsUpstream(["kimi-k2"]);
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
      {
        id: "aliases",
        type: "anthropic",
        baseUrl: backup.url,
        keys: [STORED_KEY],
        modelMap: { "team-fast": "glm-4.5-air" },
      },
    ],
  }, { ACCESS_KEYS: ACCESS });
  try {
    const res = await fetch(`${detour.url}/v1/models`, { headers: { "x-api-key": CLIENT_KEY } });
    assert.equal(res.status, 200);
    const list = await res.json() as ModelList;
    assertListFormat(list);
    // Neither the stored-key upstream's list nor its alias names reach an unauthorised client.
    assert.deepEqual(list.data.map((m) => m.id), ["claude-sonnet-5"]);
    assert.equal(backup.received.length, 0);

    // With the access key, the backup's list joins (and the access key is not forwarded).
    const authed = await fetch(`${detour.url}/v1/models`, {
      headers: { "x-api-key": CLIENT_KEY, "x-detour-key": ACCESS },
    });
    const all = await authed.json() as ModelList;
    assert.deepEqual(all.data.map((m) => m.id), ["claude-sonnet-5", "kimi-k2", "team-fast"]);
    assert.equal(authed.headers.get("x-detour-provider"), "primary,backup,aliases");
    for (const m of [primary, backup]) {
      for (const r of m.received) {
        const text = [...r.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
        assert.ok(!text.includes(ACCESS), "the access key was forwarded");
      }
    }
  } finally {
    await closeAll(detour, primary, backup);
  }
});
