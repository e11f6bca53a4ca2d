/** Which headers cross the proxy: the in-place copies used on the hot path. */
import assert from "node:assert/strict";
import {
  forwardableRequestHeaders,
  forwardableResponseHeaders,
  responseWithUpstreamHeaders,
} from "../lib/http/headers.ts";

Deno.test("request headers: credentials, hop-by-hop and Connection-named headers stay behind", () => {
  const client = new Headers({
    "anthropic-version": "2023-06-01",
    "anthropic-beta": "a,b",
    "x-stainless-os": "Linux",
    "x-api-key": "sk-ant-api03-secret",
    authorization: "Bearer sk-ant-oat-secret",
    "x-detour-key": "dtr_secret",
    cookie: "c=1",
    host: "localhost:8000",
    "content-length": "12",
    "accept-encoding": "gzip",
    "x-forwarded-for": "10.0.0.1",
    connection: "keep-alive, X-Hop",
    "x-hop": "1",
  });
  const out = forwardableRequestHeaders(client);
  assert.deepEqual([...out].map(([k]) => k), [
    "anthropic-beta",
    "anthropic-version",
    "x-stainless-os",
  ]);
  // A copy: editing it leaves the client's headers alone.
  out.set("x-api-key", "upstream");
  assert.equal(client.get("x-api-key"), "sk-ant-api03-secret");
});

Deno.test("response headers: the in-place copy keeps what the full copy keeps", () => {
  const cases: Record<string, string>[] = [
    {
      "content-type": "application/json",
      "content-length": "500",
      "request-id": "req_1",
      "retry-after": "3",
      "anthropic-ratelimit-tokens-remaining": "9",
      "set-cookie": "s=1",
      "transfer-encoding": "chunked",
      connection: "keep-alive, x-hop",
      "x-hop": "1",
      "keep-alive": "timeout=5",
    },
    // fetch decoded a compressed body: its length and encoding no longer hold.
    { "content-type": "application/json", "content-length": "90", "content-encoding": "gzip" },
    { "content-type": "text/event-stream", "content-encoding": "identity", "content-length": "7" },
  ];
  for (const init of cases) {
    const upstream = new Response("x", { headers: init }).headers;
    const res = responseWithUpstreamHeaders("body", 201, upstream);
    assert.equal(res.status, 201);
    assert.deepEqual([...res.headers], [...forwardableResponseHeaders(upstream)]);
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal(res.headers.get("content-encoding"), null);
    // The response's headers are its own: Detour adds to them without touching the upstream's.
    res.headers.set("x-detour-provider", "p");
    assert.equal(upstream.get("x-detour-provider"), null);
  }
  const kept = responseWithUpstreamHeaders(
    null,
    200,
    new Response("x", { headers: cases[0] }).headers,
  );
  assert.deepEqual([...kept.headers].map(([k]) => k), [
    "anthropic-ratelimit-tokens-remaining",
    "content-length",
    "content-type",
    "request-id",
    "retry-after",
  ]);
});
