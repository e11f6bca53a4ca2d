/**
 * One client connection relayed by the front listener to Detour's loopback HTTP server: two
 * byte pumps and the connection's clock. Bytes are copied as they come, through one buffer per
 * direction, with no timer per chunk.
 */
import { type ConnClock } from "./conn_clock.ts";

/**
 * Per-direction buffer: a request head and typical SSE bursts fit in one read. A read that fills
 * it (a 100 kB request body, say) grows it once to the larger size: fewer round trips for big
 * bodies, without every idle connection holding the larger buffers.
 */
const BUFFER_BYTES = 16 * 1024;
const GROWN_BUFFER_BYTES = 64 * 1024;

/** The buffer for the next read: grown once a read has filled the current one. */
function nextBuffer(buf: Uint8Array<ArrayBuffer>, filled: number): Uint8Array<ArrayBuffer> {
  return filled === buf.length && buf.length < GROWN_BUFFER_BYTES
    ? new Uint8Array(GROWN_BUFFER_BYTES)
    : buf;
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
    let buf = new Uint8Array(BUFFER_BYTES);
    while (!this.#closed) {
      const n = await this.client.read(buf);
      if (n === null) {
        // The client finished sending; its answer may still be on the way.
        await this.server.closeWrite().catch(() => this.close());
        return;
      }
      const chunk = buf.subarray(0, n);
      this.clock.received(chunk, Date.now());
      await writeAll(this.server, chunk);
      buf = nextBuffer(buf, n);
    }
  }

  async #pumpResponses(): Promise<void> {
    let buf = new Uint8Array(BUFFER_BYTES);
    while (!this.#closed) {
      const n = await this.server.read(buf);
      if (n === null) return;
      await writeAll(this.client, buf.subarray(0, n));
      buf = nextBuffer(buf, n);
    }
  }
}

/** Writes every byte (a socket write may take only part). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}
