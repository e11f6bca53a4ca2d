/**
 * Provider `headers` values are secrets (issue 12, item 8): the config API, the export and the
 * page show them masked like keys, and a masked value sent back keeps the stored one.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { maskConfig } from "../lib/config/mask.ts";
import { ConfigSchema } from "../lib/config/schema.ts";
import { fromConfig, toConfig } from "../islands/parts/draft.ts";
import { validate } from "../islands/parts/validate_draft.ts";
import { anthropicMessage, mockUpstream, startDetour } from "./helpers/harness.ts";

const HEADER_SECRET = "Bearer hdr-secret-0123456789abcdefghij";
const SHORT_SECRET = "tenant-42";
const ACCESS = "dtr_header_mask_access_key_0123456789";

async function setup() {
  const upstream = mockUpstream((_req, body) =>
    Response.json(anthropicMessage("pong", JSON.parse(body).model))
  );
  const detour = await startDetour({
    providers: [{
      id: "gw",
      type: "anthropic",
      baseUrl: upstream.url,
      keys: ["sk-gw-stored-key-0123456789abcdef"],
      headers: { Authorization: HEADER_SECRET, "x-tenant": SHORT_SECRET },
    }],
  }, { ACCESS_KEYS: ACCESS });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${detour.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${detour.adminToken}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });
  /** One request through Detour with the official SDK: what the upstream then received. */
  const send = async () => {
    const client = new Anthropic({
      baseURL: detour.url,
      apiKey: "unused",
      defaultHeaders: { "x-detour-key": ACCESS },
      maxRetries: 0,
    });
    await client.messages.create({
      model: "claude-sonnet-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    return upstream.received.at(-1)!.headers;
  };
  return {
    detour,
    api,
    send,
    close: async () => {
      await detour.close();
      await upstream.close();
    },
  };
}

const leaks = (text: string) =>
  [HEADER_SECRET, "hdr-secret", SHORT_SECRET].filter((s) => text.includes(s));

Deno.test("config API and export mask provider header values; a round trip keeps them", async () => {
  const t = await setup();
  try {
    const res = await t.api("/admin/api/config");
    const text = await res.text();
    assert.deepEqual(leaks(text), [], "a header value reached the config API");
    const config = JSON.parse(text);
    assert.deepEqual(config.providers[0].headers, {
      Authorization: "Bearer…ghij",
      "x-tenant": "…",
    });

    const exported = await (await t.api("/admin/api/config/export")).text();
    assert.deepEqual(leaks(exported), [], "a header value reached the export");

    // The masked config sent back unchanged, with another edit: both values are kept.
    config.cooldownSeconds = 12;
    const put = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(config) });
    assert.equal(put.status, 200, await put.clone().text());
    assert.deepEqual(leaks(await put.text()), [], "a header value reached the PUT answer");
    assert.deepEqual(t.detour.deps.live.config.providers[0].headers, {
      Authorization: HEADER_SECRET,
      "x-tenant": SHORT_SECRET,
    });
    const sent = await t.send();
    assert.equal(sent.get("authorization"), HEADER_SECRET);
    assert.equal(sent.get("x-tenant"), SHORT_SECRET);

    // Only the explicit export with secrets returns them.
    const full = await t.api("/admin/api/config/export", {
      method: "POST",
      body: JSON.stringify({ confirm: "include-secrets" }),
    });
    assert.equal((await full.json()).providers[0].headers.Authorization, HEADER_SECRET);
  } finally {
    await t.close();
  }
});

Deno.test("a typed header value replaces the stored one; a masked value under a new name is refused", async () => {
  const t = await setup();
  try {
    const config = await (await t.api("/admin/api/config")).json();
    config.providers[0].headers = { Authorization: "Bearer…ghij", "x-tenant": "tenant-43" };
    const put = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(config) });
    assert.equal(put.status, 200, await put.clone().text());
    assert.deepEqual(t.detour.deps.live.config.providers[0].headers, {
      Authorization: HEADER_SECRET,
      "x-tenant": "tenant-43",
    });

    // The mask stands for the value under its own name only: nothing silently lost or moved.
    config.providers[0].headers = { "x-other": "Bearer…ghij" };
    const moved = await t.api("/admin/api/config", { method: "PUT", body: JSON.stringify(config) });
    assert.equal(moved.status, 400);
    const err = await moved.json();
    assert.equal(err.error.issues[0].path, "providers.0.headers.x-other");
    assert.deepEqual(leaks(JSON.stringify(err)), []);
    assert.equal(t.detour.deps.live.config.providers[0].headers.Authorization, HEADER_SECRET);
  } finally {
    await t.close();
  }
});

Deno.test("the page's draft keeps a masked header value as it came and warns when a replacement is left empty", () => {
  const config = ConfigSchema.parse({
    providers: [{
      id: "gw",
      type: "anthropic",
      baseUrl: "https://gw.example.com",
      keys: ["sk-gw-stored-key-0123456789abcdef"],
      headers: { Authorization: HEADER_SECRET },
    }],
  });
  const draft = fromConfig(maskConfig(config));
  const row = draft.providers[0].headers[0];
  assert.equal(row.b, "Bearer…ghij");
  assert.deepEqual(toConfig(draft).body.providers, [
    { ...maskConfig(config).providers[0], headers: { Authorization: "Bearer…ghij" } },
  ]);
  Object.assign(row, { b: "", was: "Bearer…ghij" });
  const key = `${draft.providers[0].uid}.headers.${row.uid}`;
  assert.match(validate(draft).warnings[key], /stored value Bearer…ghij is replaced/);
});
