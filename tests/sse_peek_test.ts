/** The stream peek's held head (lib/http/sse_peek.ts): one buffer, pings held unparsed. */
import assert from "node:assert/strict";
import { peekAnthropicStream } from "../lib/http/sse_peek.ts";
import { HeadBuffer, joinChunks } from "../lib/http/chunk_compact.ts";
import { isPings } from "../lib/http/sse_peek.ts";

const enc = new TextEncoder();
const ev = (name: string, data: unknown) =>
  enc.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
const PING_DOC = enc.encode('event: ping\ndata: {"type": "ping"}\n\n');
const start = ev("message_start", { type: "message_start", message: { id: "m", usage: {} } });
const block = ev("content_block_start", { type: "content_block_start", index: 0 });
const error = ev("error", { type: "error", error: { type: "overloaded_error", message: "busy" } });

/** A stream that hands out `chunks` one read at a time. */
function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else c.close();
    },
  });
}

Deno.test("isPings: whole ping events only, in either spacing", () => {
  const compact = ev("ping", { type: "ping" });
  assert.ok(isPings(PING_DOC));
  assert.ok(isPings(compact));
  assert.ok(isPings(joinChunks([PING_DOC, compact, PING_DOC])));
  assert.ok(!isPings(new Uint8Array(0)));
  assert.ok(!isPings(PING_DOC.subarray(0, 20)));
  assert.ok(!isPings(joinChunks([PING_DOC, block])));
  assert.ok(!isPings(error));
});

Deno.test("peek: 500 pings before content are held in one buffer, byte for byte", async () => {
  const chunks = [start, ...Array.from({ length: 500 }, () => PING_DOC), block];
  const peek = await peekAnthropicStream(streamOf(chunks));
  assert.equal(peek.kind, "content");
  assert.equal(peek.chunks.length, 1);
  assert.deepEqual(peek.chunks[0], joinChunks(chunks));
  if (peek.kind === "content") await peek.reader.cancel();
});

Deno.test("peek: an error after pings is caught, a ping cut across reads still parses", async () => {
  const afterPings = await peekAnthropicStream(streamOf([start, PING_DOC, PING_DOC, error]));
  assert.equal(afterPings.kind, "error");
  // The first read ends inside an event: the pings after it are not whole events on their own.
  const whole = joinChunks([start, PING_DOC, error]);
  const cut = start.byteLength + 10;
  const split = await peekAnthropicStream(
    streamOf([whole.subarray(0, cut), whole.subarray(cut, cut + 5), whole.subarray(cut + 5)]),
  );
  assert.equal(split.kind, "error");
  if (split.kind === "error") assert.equal(split.errorType, "overloaded_error");
  assert.deepEqual(split.chunks[0], whole);
  // An event split so that a read ends in the middle of its data, followed by whole pings.
  const half = start.byteLength - 10;
  const midEvent = await peekAnthropicStream(
    streamOf([
      start.subarray(0, half),
      joinChunks([start.subarray(half), PING_DOC]),
      PING_DOC,
      block,
    ]),
  );
  assert.equal(midEvent.kind, "content");
  if (midEvent.kind === "content") await midEvent.reader.cancel();
});

Deno.test("HeadBuffer: appends grow one buffer; bytes are what was appended", () => {
  const head = new HeadBuffer();
  const parts = Array.from({ length: 300 }, (_, i) => new Uint8Array(37).fill(i % 256));
  for (const p of parts) head.append(p);
  assert.equal(head.byteLength, 300 * 37);
  assert.deepEqual(head.bytes(), joinChunks(parts));
  assert.ok(head.bytes().buffer.byteLength < 2 * 300 * 37);
});
