/**
 * One client connection relayed by the front listener to Detour's loopback HTTP server: two
 * byte pumps and the connection's clock. Bytes are copied as they come, through one buffer per
 * direction, with no timer per chunk. Per chunk a pump allocates only what `read` and `write`
 * themselves do: the write is awaited in the loop (an async helper per chunk cost a frame and a
 * promise) and a read that filled the buffer is written without a `subarray` view. That kept the
 * front's peak memory lower and steadier (bench/front_hop.ts, 200 streams of 400 events: 404–441
 * against 419–482 kB per open stream, alternated runs); CPU did not move beyond the noise.
 */
import type { BufferPool } from "./buffer_pool.ts";
import { type ConnClock } from "./conn_clock.ts";

/**
 * Per-direction buffers: a read waiting on an idle connection (a kept-alive one, or a request's
 * side while its stream is relayed for minutes) uses the connection's small one; a read that
 * fills it (a 100 kB request body, say) borrows a 64 KiB buffer from the front's pool for the
 * reads that follow, and the first read that does not fill that one (the end of the body) gives
 * it back. So a thousand open streams hold 2 × 4 KiB each here, not 64 + 16 KiB.
 */
const BUFFER_BYTES = 4 * 1024;

/** The buffer for the next read, by how much of the current one the last read filled. */
export function nextBuffer(
  buf: Uint8Array<ArrayBuffer>,
  small: Uint8Array<ArrayBuffer>,
  filled: number,
  pool: BufferPool,
): Uint8Array<ArrayBuffer> {
  if (buf === small) return filled === small.length ? pool.take() : small;
  if (filled === buf.length) return buf;
  pool.give(buf);
  return small;
}

/** A client connection and its loopback twin to the HTTP server. */
export class FrontConn {
  #closed = false;
  #onClose: (conn: FrontConn) => void;

  constructor(
    readonly client: Deno.TcpConn,
    readonly server: Deno.TcpConn,
    readonly clock: ConnClock,
    onClose: (conn: FrontConn) => void,
    readonly pool: BufferPool,
  ) {
    this.#onClose = onClose;
  }

  /** The client's address, which the HTTP server would otherwise see as loopback. */
  get remoteAddr(): Deno.NetAddr {
    return this.client.remoteAddr;
  }

  /** The loopback port the HTTP server sees this connection come from. */
  get serverSidePort(): number {
    return this.server.localAddr.port;
  }

  /** Relays both directions until either side ends, then closes both. */
  start(): void {
    this.#pumpRequests().catch(() => this.close());
    this.#pumpResponses().catch(() => {}).finally(() => this.close());
  }

  /** Closes both sockets once; safe to call again. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [this.client, this.server]) {
      try {
        c.close();
      } catch {
        // already closed by the peer's end
      }
    }
    this.#onClose(this);
  }

  async #pumpRequests(): Promise<void> {
    const small = new Uint8Array(BUFFER_BYTES);
    let buf = small;
    try {
      while (!this.#closed) {
        const n = await this.client.read(buf);
        if (n === null) {
          // The client finished sending; its answer may still be on the way.
          await this.server.closeWrite().catch(() => this.close());
          return;
        }
        const chunk = n === buf.length ? buf : buf.subarray(0, n);
        this.clock.received(chunk, Date.now());
        // Awaited here, not through writeAll: a socket write nearly always takes the whole chunk.
        const wrote = await this.server.write(chunk);
        if (wrote < n) await writeAll(this.server, chunk.subarray(wrote));
        buf = nextBuffer(buf, small, n, this.pool);
      }
    } finally {
      if (buf !== small) this.pool.give(buf);
    }
  }

  async #pumpResponses(): Promise<void> {
    const small = new Uint8Array(BUFFER_BYTES);
    let buf = small;
    try {
      while (!this.#closed) {
        const n = await this.server.read(buf);
        if (n === null) return;
        const chunk = n === buf.length ? buf : buf.subarray(0, n);
        const wrote = await this.client.write(chunk);
        if (wrote < n) await writeAll(this.client, chunk.subarray(wrote));
        buf = nextBuffer(buf, small, n, this.pool);
      }
    } finally {
      if (buf !== small) this.pool.give(buf);
    }
  }
}

/** Writes every byte (a socket write may take only part). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}
