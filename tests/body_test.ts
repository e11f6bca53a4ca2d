/** Reading bodies with limits: the request body once, upstream error bodies bounded. */
import assert from "node:assert/strict";
import { readBounded } from "../lib/http/body.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A body that arrives in `parts`, without a declared length. */
function chunked(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

Deno.test("readBounded: a short body of declared length comes whole", async () => {
  const res = new Response('{"type":"error"}', { headers: { "content-length": "16" } });
  assert.equal(text(await readBounded(res)), '{"type":"error"}');
});

Deno.test("readBounded: a long body is cut at the limit, declared or not", async () => {
  const long = "x".repeat(100);
  const declared = new Response(long, { headers: { "content-length": "100" } });
  assert.equal(text(await readBounded(declared, 10)), "x".repeat(10));
  const streamed = new Response(chunked(["abcdef", "ghijkl", "mnop"]));
  assert.equal(text(await readBounded(streamed, 8)), "abcdefgh");
  // Under the limit, every chunk is kept.
  assert.equal(text(await readBounded(new Response(chunked(["ab", "cd"])), 8)), "abcd");
});

Deno.test("readBounded: a compressed body is never read whole on its declared length", async () => {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      // 64 kB once decoded, far past both the declared length and the limit.
      if (++pulls > 64) return c.close();
      c.enqueue(new Uint8Array(1024));
    },
  });
  const res = new Response(body, {
    headers: { "content-length": "20", "content-encoding": "gzip" },
  });
  assert.equal((await readBounded(res, 4096)).byteLength, 4096);
  assert.ok(pulls < 10);
  assert.equal(await readBounded(new Response(null)).then((b) => b.byteLength), 0);
});
