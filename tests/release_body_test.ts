/** Letting go of a committed request's body (lib/fallback/release_body.ts). */
import assert from "node:assert/strict";
import { ConfigSchema } from "../lib/config/schema.ts";
import type { InboundRequest } from "../lib/fallback/inbound.ts";
import { debugCaptureBytes, releaseBody } from "../lib/fallback/release_body.ts";
import { testClient } from "./helpers/engine_fixture.ts";

function inbound(): InboundRequest {
  const json = {
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "x".repeat(5000) }],
  };
  return {
    id: "r1",
    endpoint: "messages",
    search: "",
    headers: new Headers(),
    raw: new TextEncoder().encode(JSON.stringify(json)),
    json,
    model: json.model,
    stream: true,
    client: testClient,
    signal: new AbortController().signal,
    memo: { firstMessageHash: "h" },
  };
}

Deno.test("releaseBody: drops the body, the parsed body and the memo; keeps what the log reads", () => {
  const req = inbound();
  const raw = req.raw;
  releaseBody(req, 0);
  assert.equal(req.raw.byteLength, 0);
  assert.deepEqual(req.json, {});
  assert.equal(req.memo, undefined);
  assert.equal(req.model, "claude-sonnet-4-5", "the summary still names the model");
  assert.equal(req.id, "r1");

  const captured = inbound();
  releaseBody(captured, 100);
  assert.deepEqual(captured.raw, raw.subarray(0, 100));
  assert.equal(captured.raw.buffer.byteLength, 100, "a copy: the whole body is not kept");
  const short = inbound();
  releaseBody(short, 1 << 20);
  assert.deepEqual(short.raw, raw);
});

Deno.test("debugCaptureBytes: what the request log's capture reads while it is on, else 0", () => {
  const now = Date.parse("2026-12-05T12:00:00Z");
  const off = ConfigSchema.parse({ providers: [] });
  assert.equal(debugCaptureBytes(off, now), 0);
  const on = ConfigSchema.parse({
    providers: [],
    requestLog: { debugBodiesUntil: "2026-12-05T13:00:00Z", debugBodyBytes: 4096 },
  });
  assert.equal(debugCaptureBytes(on, now), 4096 + 8192);
  assert.equal(debugCaptureBytes(on, Date.parse("2026-12-05T14:00:00Z")), 0, "expired");
});
