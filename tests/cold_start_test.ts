/**
 * What Detour loads on first use rather than at start (docs/performance.md, "Cold start"): in a
 * fresh process, where nothing is loaded yet, the first request to an OpenAI-compatible provider
 * is translated and answered, concurrent first requests share the one import, and the first visit
 * to /admin gets the page and the API. Each runs from source (`main.ts`, as Deno Deploy runs it)
 * and from the bundle `deno task start` runs (`build/server/main.js`: the lazily loaded parts are
 * chunks of their own there), which also serves a streamed Claude Code turn and the admin page's
 * files.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { type Entry, startDetourProcess } from "./helpers/detour_process.ts";
import {
  ADMIN_TOKEN,
  anthropicErrorResponse,
  anthropicMessage,
  anthropicRefusal,
  anthropicSse,
  mockUpstream,
  sseResponse,
} from "./helpers/harness.ts";
import { loginForm } from "./helpers/admin_session.ts";
import { chatAnswer } from "./helpers/vendor_mocks/openai_wire.ts";
import { mockBedrock } from "./helpers/cloud_mocks.ts";

/** A POST /v1/messages to `url`, non-streaming. */
function ask(url: string): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant-api03-cold-start-client-0123456789",
    },
    body: JSON.stringify({
      model: "claude-sonnet-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
}

const ENTRIES: Entry[] = ["main.ts", "bundle"];

/** One streamed turn through Detour at `url` with the official SDK: the message and the response. */
async function streamedTurn(url: string, model: string) {
  const client = new Anthropic({ baseURL: url, apiKey: "sk-ant-client", maxRetries: 0 });
  const stream = client.messages.stream({
    model,
    max_tokens: 64,
    messages: [{ role: "user", content: "hi" }],
  });
  const message = await stream.finalMessage();
  const { response } = await stream.withResponse();
  return { message, response };
}

for (const entry of ENTRIES) {
  Deno.test(`fresh process (${entry}): the first requests to an OpenAI-compatible provider are translated and answered`, async () => {
    const openai = mockUpstream((_req, body) => chatAnswer(JSON.parse(body), { text: "Hello" }));
    const detour = await startDetourProcess(openai.url, {}, undefined, [
      { id: "oai", type: "openai", baseUrl: `${openai.url}/v1`, keys: ["sk-oai"] },
    ], entry);
    try {
      // Three at once: they wait for one import of the adapter, and all are served.
      const answers = await Promise.all([ask(detour.url), ask(detour.url), ask(detour.url)]);
      for (const res of answers) {
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-detour-provider"), "oai");
        const body = await res.json();
        assert.equal(body.type, "message");
        assert.deepEqual(body.content, [{ type: "text", text: "Hello" }]);
      }
      assert.equal(openai.received.length, 3);
      assert.ok(openai.received.every((r) => r.path === "/v1/chat/completions"));
    } finally {
      await detour.close();
      await openai.close();
    }
  });

  Deno.test(`fresh process (${entry}): the first /admin visits get the login page and the API`, async () => {
    const upstream = mockUpstream(() => Response.json(anthropicMessage("ok")));
    const detour = await startDetourProcess(upstream.url, {}, undefined, undefined, entry);
    try {
      const api = () =>
        fetch(`${detour.url}/admin/api/config`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
      // The first requests under /admin arrive together, while the admin app is still loading.
      const [page, first, second] = await Promise.all([
        fetch(`${detour.url}/admin`, { redirect: "manual" }),
        api(),
        api(),
      ]);
      assert.equal(page.status, 302);
      assert.equal(page.headers.get("location"), "/admin/login");
      await page.body?.cancel();
      for (const res of [first, second]) {
        assert.equal(res.status, 200);
        assert.match(res.headers.get("x-request-id") ?? "", /^req_[0-9a-f]{32}$/);
        // The admin area's security headers are still on every answer.
        assert.equal(res.headers.get("x-frame-options"), "DENY");
        assert.equal((await res.json()).providers[0].id, "anthropic");
      }
      const form = await loginForm(detour.url);
      assert.ok(form.csrf.length > 0);
      const missing = await fetch(`${detour.url}/admin/no-such-page`);
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /no route for GET \/admin\/no-such-page/);
    } finally {
      await detour.close();
      await upstream.close();
    }
  });
}

Deno.test("the bundle (deno task start): a streamed turn falls back from an overloaded primary; the admin page's files are served", async () => {
  // Anthropic's documented overload: HTTP 529, `overloaded_error`
  // (https://docs.anthropic.com/en/api/errors).
  const primary = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "Overloaded"));
  // The backup refuses what the API refuses (no credential, no anthropic-version) as the API does.
  const backup = mockUpstream((req) =>
    anthropicRefusal(req) ?? sseResponse(anthropicSse("from the backup"))
  );
  const detour = await startDetourProcess(primary.url, {}, undefined, [
    { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
    { id: "backup", type: "anthropic", baseUrl: backup.url, keys: ["sk-ant-backup-key"] },
  ], "bundle");
  try {
    const { message, response } = await streamedTurn(detour.url, "claude-sonnet-4-5");
    assert.equal(response.headers.get("x-detour-provider"), "backup");
    assert.deepEqual(message.content, [{ type: "text", text: "from the backup" }]);
    assert.equal(primary.received.length, 1);
    assert.equal(backup.received[0].headers.get("x-api-key"), "sk-ant-backup-key");
    // The files lib/admin/assets.ts reads relative to its own module, from the bundle's chunk.
    for (const file of ["admin.css", "admin.js"]) {
      const res = await fetch(`${detour.url}/admin/assets/${file}`);
      assert.equal(res.status, 200, file);
      assert.ok((await res.arrayBuffer()).byteLength > 1000, file);
    }
  } finally {
    await detour.close();
    await primary.close();
    await backup.close();
  }
});

Deno.test("the bundle (deno task start): a Bedrock stream goes through the lazily loaded adapter and its event-stream codec", async () => {
  // The codec (@smithy/eventstream-codec) stays outside the bundle (deno.json's build:server):
  // the bundle's chunk imports it by name, resolved through deno.json as from source.
  const credentials = {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  };
  const bedrock = mockBedrock({ credentials: [credentials], apiKeys: [] });
  const detour = await startDetourProcess(bedrock.url, {}, undefined, [{
    id: "bedrock",
    type: "bedrock",
    baseUrl: bedrock.url,
    region: "us-east-1",
    awsAccessKeyId: credentials.accessKeyId,
    awsSecretAccessKey: credentials.secretAccessKey,
  }], "bundle");
  try {
    const { message, response } = await streamedTurn(detour.url, "claude-sonnet-4-5-20250929");
    assert.equal(response.headers.get("x-detour-provider"), "bedrock");
    assert.deepEqual(message.content, [{ type: "text", text: "hello from bedrock stream" }]);
    assert.equal(bedrock.received.length, 1);
    assert.match(bedrock.received[0].path, /\/invoke-with-response-stream$/);
  } finally {
    await detour.close();
    await bedrock.close();
  }
});
