/** Right-sized chunks (lib/http/chunk_compact.ts) and the copied stream tail (byte_tail.ts). */
import assert from "node:assert/strict";
import { ByteTail } from "../lib/http/byte_tail.ts";
import { BufferPool } from "../lib/server/buffer_pool.ts";
import { nextBuffer } from "../lib/server/front_conn.ts";
import {
  compactChunk,
  compactReader,
  HEAD_KEPT_BYTES,
  joinChunks,
  keptHead,
  READ_BUFFER_BYTES,
} from "../lib/http/chunk_compact.ts";

const enc = new TextEncoder();

/** Deterministic pseudo-random sizes (a fixed LCG), so a failure can be replayed. */
function sizes(n: number, max: number, seed = 7): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 1 + (x % max);
  });
}

/** Chunks of those sizes over one byte sequence that never repeats a short pattern. */
function chunksOf(lengths: number[]): Uint8Array[] {
  let b = 0;
  return lengths.map((n) => Uint8Array.from({ length: n }, () => (b = (b * 31 + 17) % 251)));
}

Deno.test("compactChunk: a small view of a large buffer is copied byte for byte", () => {
  const big = new Uint8Array(65536);
  big.set(enc.encode("event: ping\ndata: {}\n\n"), 100);
  const view = big.subarray(100, 122);
  const out = compactChunk(view);
  assert.notEqual(out, view);
  assert.equal(out.buffer.byteLength, 22);
  assert.deepEqual(out, view);
  const full = enc.encode("x".repeat(5000));
  assert.equal(compactChunk(full), full, "a chunk that fills its buffer stays as is");
  const half = new Uint8Array(1500).subarray(0, 1000);
  assert.equal(compactChunk(half), half, "less than 1 KiB wasted: not worth a copy");
});

Deno.test("joinChunks: the bytes in order, in one buffer", () => {
  const chunks = chunksOf(sizes(50, 300));
  const joined = joinChunks(chunks);
  let offset = 0;
  for (const c of chunks) {
    assert.deepEqual(joined.subarray(offset, offset + c.byteLength), c);
    offset += c.byteLength;
  }
  assert.equal(joined.byteLength, offset);
  assert.equal(joinChunks([chunks[0]]), chunks[0]);
  assert.equal(joinChunks([]).byteLength, 0);
});

Deno.test("keptHead: a head up to the limit is kept whole, a longer one cut to a copy", () => {
  const short = new Uint8Array(1000);
  assert.equal(keptHead(short), short);
  const long = chunksOf([HEAD_KEPT_BYTES + 5000])[0];
  const kept = keptHead(long);
  assert.equal(kept.buffer.byteLength, HEAD_KEPT_BYTES);
  assert.deepEqual(kept, long.subarray(0, HEAD_KEPT_BYTES));
});

Deno.test("ByteTail: always the last bytes written, whatever the chunk sizes", () => {
  for (const max of [1, 7, 100, 2047, 2048, 2049, 6000]) {
    const tail = new ByteTail(2048);
    const chunks = chunksOf(sizes(400, max, max));
    const all = joinChunks(chunks);
    let written = 0;
    for (const c of chunks) {
      tail.remember(c);
      written += c.byteLength;
      const expected = all.subarray(Math.max(0, written - 2048), written);
      assert.deepEqual(tail.bytes(), expected, `chunks up to ${max} bytes, at ${written}`);
    }
  }
});

/** Reads `reader` to its end; the chunks. */
async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  while (true) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

Deno.test("compactReader: a fetch body arrives byte for byte in right-sized chunks", async () => {
  // Tiny events, then one chunk larger than the read buffer, then tiny events again.
  const sent = [
    ...Array.from({ length: 40 }, (_, i) => enc.encode(`event: ping\ndata: {"n":${i}}\n\n`)),
    chunksOf([3 * READ_BUFFER_BYTES + 123])[0],
    ...Array.from({ length: 10 }, () => enc.encode("event: ping\ndata: {}\n\n")),
  ];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    let i = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(c) {
          // A pause now and then, so the client sees separate small reads.
          if (i % 8 === 0) await new Promise((r) => setTimeout(r, 1));
          if (i < sent.length) c.enqueue(sent[i++]);
          else c.close();
        },
      }),
    );
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  const chunks = await readAll(compactReader(res.body!));
  assert.deepEqual(joinChunks(chunks), joinChunks(sent));
  for (const c of chunks) {
    assert.equal(c.buffer.byteLength, c.byteLength, "each chunk holds only its own bytes");
    assert.ok(c.byteLength <= READ_BUFFER_BYTES);
  }
});

Deno.test("compactReader: a stream built in JavaScript has its chunks compacted", async () => {
  const backing = new Uint8Array(65536);
  const parts = chunksOf(sizes(30, 200));
  let offset = 0;
  const views = parts.map((p) => {
    backing.set(p, offset);
    const v = backing.subarray(offset, offset + p.byteLength);
    offset += p.byteLength;
    return v;
  });
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const v of views) c.enqueue(v);
      c.close();
    },
  });
  const chunks = await readAll(compactReader(body));
  assert.deepEqual(chunks, parts);
  for (const c of chunks) assert.equal(c.buffer.byteLength, c.byteLength);
});

Deno.test("compactReader: cancel reaches the upstream", async () => {
  let cancelled: unknown = null;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(enc.encode("data: x\n\n"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = compactReader(body);
  await reader.read();
  await reader.cancel("client left");
  assert.equal(cancelled, "client left");
});

Deno.test("front listener: a read that fills the small buffer borrows a large one, given back after", () => {
  const pool = new BufferPool(65536, 2);
  const small = new Uint8Array(4096);
  assert.equal(nextBuffer(small, small, 100, pool), small, "an SSE burst keeps the small buffer");
  const grown = nextBuffer(small, small, 4096, pool);
  assert.equal(grown.length, 65536, "a full read (a 100 kB body) borrows a large one");
  assert.equal(nextBuffer(grown, small, 65536, pool), grown, "still filling: kept");
  assert.equal(
    nextBuffer(grown, small, 30000, pool),
    small,
    "the body is in: back to the small one",
  );
  assert.equal(pool.take(), grown, "and the large one is lent again, not allocated");
});
