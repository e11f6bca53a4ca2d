/**
 * What Detour loads on first use rather than at start (docs/performance.md, "Cold start"): in a
 * fresh `main.ts` process, where nothing is loaded yet, the first request to an OpenAI-compatible
 * provider is translated and answered, concurrent first requests share the one import, and the
 * first visit to /admin gets the page and the API.
 */
import assert from "node:assert/strict";
import { startDetourProcess } from "./helpers/detour_process.ts";
import { ADMIN_TOKEN, anthropicMessage, mockUpstream } from "./helpers/harness.ts";
import { loginForm } from "./helpers/admin_session.ts";
import { chatAnswer } from "./helpers/vendor_mocks/openai_wire.ts";

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

Deno.test("fresh process: the first requests to an OpenAI-compatible provider are translated and answered", async () => {
  const openai = mockUpstream((_req, body) => chatAnswer(JSON.parse(body), { text: "Hello" }));
  const detour = await startDetourProcess(openai.url, {}, undefined, [
    { id: "oai", type: "openai", baseUrl: `${openai.url}/v1`, keys: ["sk-oai"] },
  ]);
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

Deno.test("fresh process: the first /admin visits get the login page and the API", async () => {
  const upstream = mockUpstream(() => Response.json(anthropicMessage("ok")));
  const detour = await startDetourProcess(upstream.url, {});
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
