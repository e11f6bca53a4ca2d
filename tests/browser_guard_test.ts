/**
 * Web pages cannot spend a local install's stored keys (issue 12, item 2). With no access key,
 * loopback clients are trusted; these tests play the pages that try to ride on that trust — a
 * cross-site `no-cors` fetch, a `text/plain` form post, a DNS-rebinding page, a request relayed
 * by a tunnel — and show the stored-key upstream is never called, while real API clients (the
 * official SDKs, credentialed clients from any Host) keep working.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ConfigInput } from "../lib/config/schema.ts";
import { isLocalHost } from "../lib/http/local_host.ts";
import {
  anthropicMessage,
  anthropicRefusal,
  closeAll,
  rawHttp,
  serve,
  startDetour,
} from "./helpers/harness.ts";

const STORED_KEY = "sk-browser-guard-stored-key-0123456789";
const CLIENT_KEY = "sk-ant-api03-browser-guard-client-key-0123456789";
const ACCESS = "dtr_browser_guard_access_key_0123456789";
const MODEL = "claude-sonnet-5";
const BODY = JSON.stringify({
  model: MODEL,
  max_tokens: 8,
  messages: [{ role: "user", content: "hi" }],
});

/**
 * A mock of the Anthropic Messages API that counts its calls. As documented
 * (https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/api/models-list),
 * it needs `x-api-key` and a JSON body, and lists models at GET /v1/models.
 */
function anthropicMock() {
  const calls: { path: string; key: string | null }[] = [];
  const server = serve(async (req) => {
    const url = new URL(req.url);
    calls.push({ path: url.pathname, key: req.headers.get("x-api-key") });
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({
        data: [{ type: "model", id: "upstream-secret-model", display_name: "x" }],
        has_more: false,
      });
    }
    const body = await req.json();
    return Response.json(anthropicMessage("from upstream", body.model));
  });
  return { ...server, calls };
}

/** Detour over a stored-key provider (and, with `passthrough`, a passthrough primary before it). */
async function setup(
  opts: { config?: Partial<ConfigInput>; env?: Record<string, string>; passthrough?: boolean } = {},
) {
  const stored = anthropicMock();
  const primary = anthropicMock();
  const providers: ConfigInput["providers"] = [
    { id: "stored", type: "anthropic", baseUrl: stored.url, keys: [STORED_KEY] },
  ];
  if (opts.passthrough) {
    providers.unshift({
      id: "primary",
      type: "anthropic",
      baseUrl: primary.url,
      passthrough: true,
    });
  }
  const detour = await startDetour({ providers, ...opts.config }, opts.env);
  return { detour, stored, primary, close: () => closeAll(detour, stored, primary) };
}

async function errorOf(res: Response, status: number): Promise<string> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("x-detour-provider"), "none");
  const body = await res.json();
  assert.equal(body.type, "error");
  return body.error.message as string;
}

/** One raw HTTP/1.1 POST with the headers a browser (or a rebinding page) would send. */
function rawPost(port: number, path: string, headers: Record<string, string>, body = BODY) {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
  return rawHttp(port, `POST ${path} HTTP/1.1\r\n${lines}\r\nconnection: close`, body);
}

Deno.test("a cross-site page's no-cors fetch (its Origin not in corsOrigins) is refused before any upstream", async () => {
  const t = await setup();
  try {
    // What `fetch(detour, {mode: "no-cors", method: "POST", body})` sends: a text/plain body and
    // the page's Origin, no preflight.
    const noCors = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: {
        origin: "https://evil.example",
        "content-type": "text/plain;charset=UTF-8",
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "no-cors",
      },
      body: BODY,
    });
    assert.match(await errorOf(noCors, 403), /"https:\/\/evil\.example".*corsOrigins/);
    // Even declared as JSON, and on the OpenAI entry and the model list.
    for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions"]) {
      const res = await fetch(`${t.detour.url}${path}`, {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/json" },
        body: BODY,
      });
      assert.equal(res.status, 403, path);
      await res.body?.cancel();
    }
    const models = await fetch(`${t.detour.url}/v1/models`, {
      headers: { origin: "https://evil.example" },
    });
    assert.equal(models.status, 403);
    await models.body?.cancel();
    // A sandboxed page (Origin: null), and an <img>-style GET marked cross-site with no Origin.
    const sandboxed = await rawPost(t.detour.port, "/v1/messages", {
      host: "127.0.0.1",
      origin: "null",
      "content-type": "application/json",
    });
    assert.equal(sandboxed.status, 403);
    const img = await fetch(`${t.detour.url}/v1/models`, {
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
    });
    assert.equal(img.status, 403);
    await img.body?.cancel();

    assert.equal(t.stored.calls.length, 0, "a cross-site page reached the stored-key upstream");
  } finally {
    await t.close();
  }
});

Deno.test("a text/plain form post (no Origin) is refused: /v1 takes only JSON bodies", async () => {
  const t = await setup();
  try {
    for (
      const type of [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
      ]
    ) {
      const res = await fetch(`${t.detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": type },
        body: BODY,
      });
      assert.match(await errorOf(res, 415), /application\/json/, type);
    }
    // No content type at all (a Blob or ArrayBuffer body without a type).
    const bare = await fetch(`${t.detour.url}/v1/chat/completions`, {
      method: "POST",
      body: new TextEncoder().encode(BODY),
    });
    assert.equal(bare.status, 415);
    const openai = await bare.json();
    assert.equal(openai.error.type, "invalid_request_error", "OpenAI's error shape on its entry");
    assert.equal(t.stored.calls.length, 0);

    // JSON with a charset parameter is JSON.
    const ok = await fetch(`${t.detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: BODY,
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(t.stored.calls.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("a DNS-rebinding page (foreign Host) gets no loopback trust: no stored key spent, no model list", async () => {
  const t = await setup();
  try {
    // Same-origin for the browser, so no Origin on a GET; the Host is the attacker's name.
    const post = await rawPost(t.detour.port, "/v1/messages", {
      host: `rebind.evil.example:${t.detour.port}`,
      "content-type": "application/json",
    });
    assert.equal(post.status, 403);
    assert.match(JSON.parse(post.body).error.message, /"rebind\.evil\.example:\d+".*localHosts/);
    const models = await rawHttp(
      t.detour.port,
      `GET /v1/models HTTP/1.1\r\nhost: rebind.evil.example:${t.detour.port}\r\nconnection: close`,
    );
    assert.equal(models.status, 200);
    assert.deepEqual(JSON.parse(models.body).data, [], "the stored-key provider's models listed");
    assert.equal(t.stored.calls.length, 0, "the rebinding page reached the stored-key upstream");

    // Local names keep working: localhost, an IP literal, and a name listed in localHosts.
    for (const host of [`localhost:${t.detour.port}`, "127.0.0.1", "[::1]:8000", "app.localhost"]) {
      const res = await rawPost(t.detour.port, "/v1/messages", {
        host,
        "content-type": "application/json",
      });
      assert.equal(res.status, 200, host);
    }
    assert.equal(t.stored.calls.length, 4);
  } finally {
    await t.close();
  }
  const named = await setup({ config: { localHosts: ["detour.lan"] } });
  try {
    const res = await rawPost(named.detour.port, "/v1/messages", {
      host: "detour.lan:8000",
      "content-type": "application/json",
    });
    assert.equal(res.status, 200);
    assert.equal(named.stored.calls.length, 1);
  } finally {
    await named.close();
  }
});

Deno.test("credentialed non-browser clients work from any Host (tunnels, public names)", async () => {
  const t = await setup({ passthrough: true, env: { ACCESS_KEYS: ACCESS } });
  try {
    const own = await rawPost(t.detour.port, "/v1/messages", {
      host: "detour.example.com",
      "content-type": "application/json",
      "x-api-key": CLIENT_KEY,
    });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get("x-detour-provider"), "primary");
    assert.equal(t.primary.calls[0].key, CLIENT_KEY);
    const keyed = await rawPost(t.detour.port, "/v1/messages", {
      host: "detour.example.com",
      "content-type": "application/json",
      "x-detour-key": ACCESS,
    });
    assert.equal(keyed.status, 200);
    assert.equal(keyed.headers.get("x-detour-provider"), "stored");
    assert.equal(t.stored.calls[0].key, STORED_KEY);
  } finally {
    await t.close();
  }
});

for (
  const [name, value] of [
    ["cf-connecting-ip", "203.0.113.9"],
    ["true-client-ip", "203.0.113.9"],
    ["via", "1.1 tunnel"],
    ["forwarded", "for=203.0.113.9"],
  ] as const
) {
  Deno.test(`a loopback request relayed with ${name} does not spend stored keys`, async () => {
    const t = await setup();
    try {
      const res = await fetch(`${t.detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", [name]: value },
        body: BODY,
      });
      assert.equal(res.status, 401);
      await res.body?.cancel();
      assert.equal(t.stored.calls.length, 0);
    } finally {
      await t.close();
    }
  });
}

Deno.test("corsOrigins: a listed site is served; '*' lets any site read answers but not spend stored keys", async () => {
  const listed = await setup({ config: { corsOrigins: ["https://app.example"] } });
  try {
    const res = await fetch(`${listed.detour.url}/v1/messages`, {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "application/json" },
      body: BODY,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    await res.body?.cancel();
    // The refusal of a listed origin's bad request is readable by it (CORS headers present).
    const bad = await fetch(`${listed.detour.url}/v1/messages`, {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "text/plain" },
      body: BODY,
    });
    assert.equal(bad.status, 415);
    assert.equal(bad.headers.get("access-control-allow-origin"), "https://app.example");
    await bad.body?.cancel();
    assert.equal(listed.stored.calls.length, 1);
  } finally {
    await listed.close();
  }
  const any = await setup({ config: { corsOrigins: ["*"] }, env: {} });
  try {
    const res = await fetch(`${any.detour.url}/v1/messages`, {
      method: "POST",
      headers: { origin: "https://whoever.example", "content-type": "application/json" },
      body: BODY,
    });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://whoever.example");
    assert.match(await errorOf(res, 403), /corsOrigins/);
    assert.equal(any.stored.calls.length, 0, "a '*' origin spent a stored key");
  } finally {
    await any.close();
  }
});

Deno.test("the official SDKs on loopback still spend stored keys with no access key configured", async () => {
  const t = await setup();
  try {
    const anthropic = new Anthropic({ baseURL: t.detour.url, apiKey: "unused", maxRetries: 0 });
    // The SDK's apiKey is not an access key: with only a stored-key provider it is not forwarded.
    const msg = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "from upstream");
    const openai = new OpenAI({ baseURL: `${t.detour.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const chat = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(chat.choices[0].message.content, "from upstream");
    assert.deepEqual(t.stored.calls.map((c) => c.key), [STORED_KEY, STORED_KEY]);
  } finally {
    await t.close();
  }
});

Deno.test("isLocalHost: loopback names and IP literals are local; other names only when listed", () => {
  for (const host of ["localhost", "localhost:8000", "a.localhost", "127.0.0.1:1", "[::1]:80"]) {
    assert.ok(isLocalHost(host), host);
  }
  assert.ok(isLocalHost("10.0.0.5"), "an IP literal cannot be rebound");
  assert.ok(isLocalHost(`${Deno.hostname()}:8000`), "the machine's own name (tests run with -A)");
  const foreign = [
    null,
    "",
    "rebind.evil.example",
    "localhost.evil.example",
    "evil.com:80",
    "null.",
  ];
  for (const host of foreign) {
    assert.equal(isLocalHost(host), false, String(host));
  }
  assert.ok(isLocalHost("Detour.LAN:8000", ["detour.lan"]));
  assert.ok(isLocalHost("box.tail.example", ["*.tail.example"]));
  assert.equal(isLocalHost("tail.example.evil", ["*.tail.example"]), false);
});
