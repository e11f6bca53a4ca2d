/**
 * Issue 12, items 4, 5, 6 and 9, reproduced over HTTP on loopback: stored secrets echoed by an
 * upstream, a provider pointing back at Detour, many cooling keys, and bodies that stall.
 * Upstream error shapes follow https://docs.anthropic.com/en/api/errors; SSE events (including
 * `ping`) follow https://docs.anthropic.com/en/api/messages-streaming.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { ConfigSchema } from "../lib/config/schema.ts";
import {
  ADMIN_TOKEN,
  anthropicErrorResponse,
  closeAll,
  hangUntilAborted,
  mockUpstream,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

const MODEL = "claude-sonnet-5";
/** A stored key that matches no key pattern: only redaction by value can catch it. */
const PLAIN_KEY = "plainsecretvalue123";
/** A provider header value (a credential of a gateway), also pattern-free. */
const HEADER_SECRET = "gatewaysecret4242";
const enc = new TextEncoder();

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const simple = (stream = false) => ({
  model: MODEL,
  max_tokens: 16,
  stream,
  messages: [{ role: "user", content: "hi" }],
});
const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
    signal,
  });

Deno.test("stored secrets echoed by an upstream (401 and 400) never leave Detour", async () => {
  // An upstream that echoes the credential it refused, as some providers do.
  const upstream = mockUpstream((req, _body, n) => {
    const key = req.headers.get("x-api-key");
    const gateway = req.headers.get("x-gateway-auth");
    return n === 1
      ? anthropicErrorResponse(401, "authentication_error", `invalid x-api-key: ${key}`)
      : anthropicErrorResponse(400, "invalid_request_error", `bad request for ${key} / ${gateway}`);
  });
  const detour = await startDetour({
    providers: [{
      id: "echo",
      type: "anthropic",
      baseUrl: upstream.url,
      keys: [PLAIN_KEY],
      headers: { "x-gateway-auth": HEADER_SECRET },
    }],
  });
  const leaks = (text: string) => text.includes(PLAIN_KEY) || text.includes(HEADER_SECRET);
  try {
    const first = await post(detour.url, simple());
    assert.equal(first.status, 401);
    const firstText = await first.text();
    assert.match(firstText, /\[redacted\]/);
    assert.ok(!leaks(firstText), firstText);
    assert.ok(!leaks(first.headers.get("x-detour-attempts") ?? ""));

    // The key now cools; the next request still tries it and gets a plain 400 (not a fallback).
    const second = await post(detour.url, simple());
    assert.equal(second.status, 400);
    const secondText = await second.text();
    assert.match(secondText, /bad request for \[redacted\] \/ \[redacted\]/);
    assert.equal(upstream.received.length, 2, "both went upstream with the real key");
    assert.equal(upstream.received[0].headers.get("x-api-key"), PLAIN_KEY);

    await detour.deps.outcomes.flush();
    await detour.deps.usage.flush();
    const status = await (await fetch(`${detour.url}/admin/api/status`, { headers: admin }))
      .text();
    assert.match(status, /lastError/);
    assert.ok(!leaks(status), "the status page's lastError");

    const list = await (await fetch(`${detour.url}/admin/api/requests`, { headers: admin }))
      .json() as { requests: { id: string }[] };
    assert.equal(list.requests.length, 2);
    for (const { id } of list.requests) {
      const entry = await (await fetch(`${detour.url}/admin/api/requests/${id}`, {
        headers: admin,
      })).text();
      assert.ok(!leaks(entry), `request log entry ${id}`);
    }
    await waitFor(() => detour.logs.filter((l) => l.includes('"msg":"request"')).length === 2);
    assert.ok(detour.logs.some((l) => l.includes("[redacted]")));
    assert.ok(!detour.logs.some(leaks), "the captured log lines");
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("a stored key echoed in a stream's early error event is redacted too", async () => {
  // Anthropic may answer 200 and then an `error` event before any content (messages-streaming).
  const upstream = mockUpstream((req) => {
    const data = JSON.stringify({
      type: "error",
      error: { type: "overloaded_error", message: `Overloaded (${req.headers.get("x-api-key")})` },
    });
    return new Response(`event: error\ndata: ${data}\n\n`, {
      headers: { "content-type": "text/event-stream" },
    });
  });
  const detour = await startDetour({
    providers: [{ id: "p", type: "anthropic", baseUrl: upstream.url, keys: [PLAIN_KEY] }],
  });
  try {
    const res = await post(detour.url, simple(true));
    assert.equal(res.status, 529);
    const text = await res.text();
    assert.match(text, /Overloaded \(\[redacted\]\)/);
    assert.ok(!text.includes(PLAIN_KEY));
    await waitFor(() => detour.logs.some((l) => l.includes('"msg":"request"')));
    assert.ok(!detour.logs.some((l) => l.includes(PLAIN_KEY)));
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("the logger redacts stored secrets whatever a caller passes it", async () => {
  const detour = await startDetour({
    providers: [{
      id: "p",
      type: "anthropic",
      baseUrl: "http://127.0.0.1:9",
      keys: [PLAIN_KEY],
    }],
  });
  try {
    detour.deps.logger.warn("careless", { err: `upstream said ${PLAIN_KEY}` });
    assert.ok(detour.logs.some((l) => l.includes("upstream said [redacted]")));
    assert.ok(!detour.logs.some((l) => l.includes(PLAIN_KEY)));
  } finally {
    await detour.close();
  }
});

Deno.test("a provider pointing at Detour itself: one clear error, no recursion", async () => {
  const detour = await startDetour({
    providers: [{ id: "p", type: "anthropic", baseUrl: "http://127.0.0.1:9", keys: [PLAIN_KEY] }],
  });
  try {
    const self = {
      providers: [{ id: "self", type: "anthropic", baseUrl: detour.url, keys: [PLAIN_KEY] }],
    };
    // The admin API refuses such a config (and its localhost spelling)...
    for (const baseUrl of [detour.url, `http://localhost:${detour.port}/v1`]) {
      const put = await fetch(`${detour.url}/admin/api/config`, {
        method: "PUT",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ providers: [{ ...self.providers[0], baseUrl }] }),
      });
      assert.equal(put.status, 400);
      const body = await put.json();
      assert.equal(body.error.issues[0].path, "providers.0.baseUrl");
      assert.match(body.error.issues[0].message, /Detour's own address/);
    }
    // ...but one that got in another way (a CONFIG_FILE, say) is stopped by the hop header.
    const parsed = ConfigSchema.parse(self);
    assert.ok((await detour.deps.live.replace(parsed, detour.deps.live.version)).ok);
    const res = await post(detour.url, simple());
    assert.equal(res.status, 508);
    const body = await res.json();
    assert.equal(body.type, "error");
    assert.match(body.error.message, /came back to the Detour that sent it/);
    await waitFor(() => detour.logs.filter((l) => l.includes('"msg":"request"')).length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    // The outer request and the one refused inner request: nothing deeper.
    const inbound = detour.logs.filter((l) => l.includes('"status":508'));
    assert.ok(inbound.length <= 2, `${inbound.length} log lines with 508`);

    const test = await fetch(`${detour.url}/admin/api/providers/self/test`, {
      method: "POST",
      headers: admin,
    });
    assert.equal(test.status, 400);
    assert.match((await test.json()).error.message, /Detour's own address/);
    assert.equal((await fetch(`${detour.url}/health`)).status, 200, "still alive");
  } finally {
    await detour.close();
  }
});

Deno.test("a client cannot forge a loop without this instance's id; the id is unguessable", async () => {
  const upstream = mockUpstream(() =>
    Response.json({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    })
  );
  const detour = await startDetour({
    providers: [{ id: "p", type: "anthropic", baseUrl: upstream.url, keys: [PLAIN_KEY] }],
  });
  try {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-detour-hop": "someone-else" },
      body: JSON.stringify(simple()),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    // Upstream sees the earlier hop and this instance's own id after it.
    const hop = upstream.received[0].headers.get("x-detour-hop") ?? "";
    assert.match(hop, /^someone-else, [0-9a-f]{32}$/);
    const own = hop.split(", ")[1];
    const loop = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-detour-hop": own },
      body: JSON.stringify(simple()),
    });
    assert.equal(loop.status, 508);
    await loop.body?.cancel();
    assert.equal(upstream.received.length, 1, "a looped request never goes upstream");
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("three providers × 50 keys all answering 429: bounded upstream calls", async () => {
  const upstream = mockUpstream(() =>
    anthropicErrorResponse(
      429,
      "rate_limit_error",
      "Number of requests has exceeded your rate limit",
    )
  );
  const keys = (p: string) => Array.from({ length: 50 }, (_, i) => `sk-${p}-key-${i}-0123456789`);
  const detour = await startDetour({
    providers: ["a", "b", "c"].map((id) => ({
      id,
      type: "anthropic" as const,
      baseUrl: upstream.url,
      keys: keys(id),
    })),
  });
  const client = new Anthropic({ baseURL: detour.url, apiKey: "unused", maxRetries: 0 });
  try {
    await assert.rejects(client.messages.create(simple() as never), Anthropic.RateLimitError);
    assert.equal(upstream.received.length, 6, "maxAttempts (default 6) bounds one request");
    // Everything tried is cooling, the rest is not: the next request tries 6 fresh keys.
    await assert.rejects(client.messages.create(simple() as never), Anthropic.RateLimitError);
    assert.equal(upstream.received.length, 12);
  } finally {
    await closeAll(detour, upstream);
  }
  // A smaller bound, and a chain whose every target is cooling: only the soonest, once.
  const upstream2 = mockUpstream(() =>
    anthropicErrorResponse(429, "rate_limit_error", "rate limited", { "retry-after": "30" })
  );
  const small = await startDetour({
    maxAttempts: 2,
    providers: ["a", "b"].map((id) => ({
      id,
      type: "anthropic" as const,
      baseUrl: upstream2.url,
      keys: keys(id).slice(0, 2),
    })),
  });
  try {
    for (let i = 0; i < 2; i++) (await post(small.url, simple())).body?.cancel();
    assert.equal(upstream2.received.length, 4, "two requests, two attempts each");
    const res = await post(small.url, simple());
    assert.equal(res.status, 429);
    await res.body?.cancel();
    assert.equal(upstream2.received.length, 5, "all cooling: one attempt");
    assert.match(res.headers.get("x-detour-attempts") ?? "", /^[ab]#[12] 429 \d+ms$/);
  } finally {
    await closeAll(small, upstream2);
  }
});

Deno.test("a JSON answer that stalls after its headers ends instead of hanging", async () => {
  // 200 with no content-length, part of the JSON, then nothing until Detour gives up.
  const upstream = mockUpstream((req) => {
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(enc.encode('{"id":"msg_1","type":"message","content":['));
        await hangUntilAborted(req.signal, 10_000);
        c.close();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  const detour = await startDetour({
    streamIdleTimeoutMs: 1000,
    providers: [{ id: "p", type: "anthropic", baseUrl: upstream.url, keys: [PLAIN_KEY] }],
  });
  try {
    const res = await post(detour.url, simple(), AbortSignal.timeout(8000));
    assert.equal(res.status, 200);
    const err = await res.text().then(() => null, (e) => e);
    assert.ok(err instanceof Error, "the body errors");
    assert.notEqual(err.name, "TimeoutError", "Detour ended it, not the test's own limit");
    await waitFor(() => detour.logs.some((l) => l.includes('"msg":"request"')), 3000);
    const line = JSON.parse(detour.logs.find((l) => l.includes('"msg":"request"'))!);
    assert.equal(line.end, "broken");
    await detour.deps.outcomes.flush();
    const status = await (await fetch(`${detour.url}/admin/api/status`, { headers: admin }))
      .json();
    assert.match(status.providers[0].lastError, /stalled/);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("a stream that only pings after its content ends with an error event", async () => {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let cancelled = false;
  const upstream = mockUpstream(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode(
          ev("message_start", {
            type: "message_start",
            message: {
              id: "msg_1",
              type: "message",
              role: "assistant",
              model: MODEL,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 1, output_tokens: 1 },
            },
          }) +
            ev("content_block_start", {
              type: "content_block_start",
              index: 0,
              content_block: { type: "text", text: "" },
            }) +
            ev("content_block_delta", {
              type: "content_block_delta",
              index: 0,
              delta: { type: "text_delta", text: "Hello" },
            }),
        ));
        // Pings every 100 ms, for ever (bounded at 200 so the test cannot run away).
        let n = 0;
        timer = setInterval(() => {
          if (++n > 200) return clearInterval(timer);
          c.enqueue(enc.encode(ev("ping", { type: "ping" })));
        }, 100);
      },
      cancel() {
        cancelled = true;
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const detour = await startDetour({
    streamIdleTimeoutMs: 1000,
    providers: [{ id: "p", type: "anthropic", baseUrl: upstream.url, keys: [PLAIN_KEY] }],
  });
  try {
    const res = await post(detour.url, simple(true), AbortSignal.timeout(8000));
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /Hello/);
    assert.match(text, /event: ping/);
    assert.match(text, /event: error\ndata: .*upstream sent nothing for 1000 ms/);
    await waitFor(() => cancelled, 2000, "the upstream stream to be cancelled");
  } finally {
    await closeAll(detour, upstream);
  }
});
