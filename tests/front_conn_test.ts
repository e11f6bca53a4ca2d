/**
 * The front listener's relay (lib/server/front_conn.ts) over in-memory sockets: every byte goes
 * through in order both ways, even when the sockets take writes a few bytes at a time.
 */
import assert from "node:assert/strict";
import { BufferPool } from "../lib/server/buffer_pool.ts";
import { ConnClock } from "../lib/server/conn_clock.ts";
import { FrontConn } from "../lib/server/front_conn.ts";

/**
 * One end of a socket: hands out `incoming` in reads, keeps writes, takes at most `maxWrite`;
 * its reads end (null) once `done()` holds, as a server's do once it has answered the request.
 */
class FakeConn {
  written: number[] = [];
  closed = false;
  #incoming: Uint8Array[];

  constructor(
    incoming: Uint8Array[],
    readonly maxWrite: number,
    readonly done: () => boolean = () => true,
  ) {
    this.#incoming = [...incoming];
  }

  async read(buf: Uint8Array): Promise<number | null> {
    for (let i = 0; i < 1000 && this.#incoming.length === 0 && !this.done(); i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    const next = this.#incoming.shift();
    if (next === undefined) return null;
    const n = Math.min(buf.length, next.length);
    buf.set(next.subarray(0, n));
    if (n < next.length) this.#incoming.unshift(next.subarray(n));
    return n;
  }

  write(bytes: Uint8Array): Promise<number> {
    const n = Math.min(this.maxWrite, bytes.length);
    this.written.push(...bytes.subarray(0, n));
    return Promise.resolve(n);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }
}

/** Bytes 0..n-1 modulo 251 (a prime, so no chunk size lines up with the pattern). */
function pattern(n: number, offset = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + offset) % 251);
}

Deno.test("front relay: partial socket writes still relay every byte, in order, both ways", async () => {
  const head = new TextEncoder().encode(
    "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 70000\r\n\r\n",
  );
  const body = pattern(70_000);
  const answer = pattern(9_000, 7);
  // The client's bytes arrive in a head, then a body larger than the pool's buffer; the server's
  // answer in two pieces. Each side takes at most 1,000 bytes per write.
  const client = new FakeConn([head, body], 1000);
  const server: FakeConn = new FakeConn(
    [answer.subarray(0, 5000), answer.subarray(5000)],
    1000,
    () => server.written.length === head.length + body.length,
  );
  let ended = false;
  const limits = { headersMs: 1000, bodyMs: 1000, idleMs: 1000 };
  const conn = new FrontConn(
    client as unknown as Deno.TcpConn,
    server as unknown as Deno.TcpConn,
    new ConnClock(Date.now(), limits),
    () => ended = true,
    new BufferPool(),
  );
  conn.start();
  for (let i = 0; i < 1000 && !ended; i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(ended, "the relay ended once the server's answer was done");
  assert.deepEqual(Uint8Array.from(server.written), new Uint8Array([...head, ...body]));
  assert.deepEqual(Uint8Array.from(client.written), answer);
  assert.ok(client.closed && server.closed, "both sides closed");
});
