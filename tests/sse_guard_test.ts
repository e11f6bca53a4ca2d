/** The committed-stream relay on its own: idle detection, the tail it keeps, how it ends. */
import assert from "node:assert/strict";
import { guardStream, type StreamEnd } from "../lib/http/sse_guard.ts";
import { isKeepAlive } from "../lib/http/idle_watch.ts";
import { guardBody } from "../lib/http/json_guard.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const event = (type: string, extra = "") =>
  enc.encode(`event: ${type}\ndata: {"type":"${type}"${extra}}\n\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An upstream that sends `chunks` with `gapMs` between them, then closes. */
function paced(chunks: Uint8Array[], gapMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(c) {
      if (i > 0) await sleep(gapMs);
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else c.close();
    },
  });
}

/** Relays `upstream` through the guard; resolves with how it ended and its last bytes. */
function relay(upstream: ReadableStream<Uint8Array>, idleMs: number) {
  let resolve!: (v: { end: StreamEnd; tail: string }) => void;
  const ended = new Promise<{ end: StreamEnd; tail: string }>((r) => resolve = r);
  const out = guardStream(
    [],
    upstream.getReader(),
    (end, _d, tail) => resolve({ end, tail }),
    idleMs,
  );
  return { out, ended };
}

Deno.test("guardStream: chunks steadily closer than the idle limit never trip it", async () => {
  const deltas = Array.from({ length: 8 }, (_, i) => event("content_block_delta", `,"i":${i}`));
  const { out, ended } = relay(paced([...deltas, event("message_stop")], 40), 100);
  const text = await new Response(out).text(); // 8 × 40 ms: well past one idle period
  assert.doesNotMatch(text, /event: error/);
  const { end, tail } = await ended;
  assert.equal(end, "complete");
  assert.ok(tail.endsWith('data: {"type":"message_stop"}\n\n'));
});

Deno.test("guardStream: a slow client is not an idle upstream", async () => {
  const chunks = [event("message_start"), event("content_block_delta"), event("message_stop")];
  const { out, ended } = relay(paced(chunks, 0), 100);
  const reader = out.getReader();
  assert.match(dec.decode((await reader.read()).value), /message_start/);
  await sleep(300); // the client stops reading for three idle periods
  let rest = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value);
  assert.doesNotMatch(rest, /event: error/);
  assert.equal((await ended).end, "complete");
});

Deno.test("guardStream: an upstream silent past the limit ends with an error event", async () => {
  let cancelled: unknown = null;
  const upstream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(event("message_start"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const started = performance.now();
  const { out, ended } = relay(upstream, 100);
  const text = await new Response(out).text();
  assert.match(text, /event: error[\s\S]*upstream sent nothing for 100 ms/);
  // Never before the limit has passed; bounded well short of the upstream's silence.
  const waited = performance.now() - started;
  assert.ok(waited >= 100 && waited < 1000, `ended after ${waited} ms`);
  assert.equal((await ended).end, "broken");
  assert.equal(cancelled, "idle");
});

Deno.test("guardStream: the tail is the stream's last 2 KiB, across chunk boundaries", async () => {
  const big = enc.encode(`event: content_block_delta\ndata: {"t":"${"x".repeat(3000)}"}\n\n`);
  const last = event("message_delta", ',"usage":{"output_tokens":7}');
  const stop = event("message_stop");
  const { out, ended } = relay(paced([big, last, stop], 0), 0);
  await new Response(out).arrayBuffer();
  const { tail } = await ended;
  const whole = dec.decode(new Uint8Array([...big, ...last, ...stop]));
  assert.equal(tail, whole.slice(-2048));
  assert.match(tail, /"output_tokens":7/);
});

Deno.test("guardStream: pings alone after content are no progress (issue 12)", async () => {
  // Content, then a ping every 20 ms for ever: only the idle limit can end it.
  let cancelled: unknown = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  const upstream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(event("content_block_delta"));
      let n = 0;
      timer = setInterval(() => n++ < 500 ? c.enqueue(event("ping")) : clearInterval(timer), 20);
    },
    cancel(reason) {
      cancelled = reason;
      clearInterval(timer);
    },
  });
  const { out, ended } = relay(upstream, 100);
  const text = await new Response(out).text();
  assert.match(text, /event: ping/);
  assert.match(text, /event: error[\s\S]*upstream sent nothing for 100 ms/);
  assert.equal((await ended).end, "broken");
  assert.equal(cancelled, "idle");
});

Deno.test("guardStream: pings between content that keeps coming do not end it", async () => {
  const chunks = Array.from({ length: 6 }, (_, i) => [
    event("ping"),
    event("content_block_delta", `,"i":${i}`),
  ]).flat();
  const { out, ended } = relay(paced([...chunks, event("message_stop")], 15), 100);
  const text = await new Response(out).text();
  assert.doesNotMatch(text, /event: error/);
  assert.equal((await ended).end, "complete");
});

Deno.test("isKeepAlive: pings and comments only; anything with content is progress", () => {
  assert.ok(isKeepAlive(event("ping")));
  assert.ok(isKeepAlive(enc.encode(`event: ping\r\ndata: {"type": "ping"}\r\n\r\n`)));
  assert.ok(isKeepAlive(enc.encode(": keep-alive\n\n")));
  assert.ok(!isKeepAlive(event("content_block_delta")));
  assert.ok(!isKeepAlive(new Uint8Array([...event("ping"), ...event("message_stop")])));
  assert.ok(!isKeepAlive(enc.encode(`data: {"type":"ping"}${" ".repeat(200)}\n\n`)));
});

Deno.test("guardBody: a JSON body that stalls errors after the idle limit", async () => {
  let cancelled: unknown = null;
  const upstream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode('{"id":"msg_1",'));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const guarded = guardBody(upstream, 100);
  const err = await new Response(guarded.body).text().then(() => null, (e) => e);
  assert.ok(err instanceof Error);
  assert.match(err.message, /upstream sent nothing for 100 ms/);
  assert.ok(guarded.idled());
  assert.equal(cancelled, "idle");
});

Deno.test("guardBody: a steady or slow-read body passes unchanged", async () => {
  const parts = ['{"a":', "1,", '"b":2}'].map((p) => enc.encode(p));
  const guarded = guardBody(paced(parts, 30), 100);
  const reader = guarded.body.getReader();
  let text = dec.decode((await reader.read()).value);
  await sleep(300); // the client stops reading for three idle periods
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += dec.decode(r.value);
  assert.equal(text, '{"a":1,"b":2}');
  assert.ok(!guarded.idled());
});

Deno.test("isKeepAlive: data-only pings count; data-only content never", () => {
  assert.ok(isKeepAlive(enc.encode(`data: {"type":"ping"}\n\n`)));
  assert.ok(isKeepAlive(enc.encode("\n")));
  assert.ok(isKeepAlive(enc.encode(`event:ping\ndata:{"type":"ping"}\n\n`)));
  assert.ok(!isKeepAlive(enc.encode(`data: {"type":"message_stop"}\n\n`)));
  assert.ok(!isKeepAlive(enc.encode(`event: message_stop\ndata: {"type":"message_stop"}\n\n`)));
  assert.ok(isKeepAlive(new Uint8Array()), "an empty chunk is no progress");
});
