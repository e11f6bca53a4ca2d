/**
 * The front listener for self-hosting: Detour's own accept loop in front of `Deno.serve`.
 *
 * Why: `Deno.serve` (Deno 2.9) has no header-read, body or keep-alive timeout, and when accept
 * fails with EMFILE its serve loop rejects and, unhandled, ends the process (denoland/deno#10148,
 * #3515). Deno's `node:http` does honour `headersTimeout`, but after EMFILE it silently stops
 * accepting, and it would replace the runtime's native request path. So the front accepts TCP
 * itself (an accept error backs off and retries), counts connections against a cap below the
 * descriptor limit (answering 529 above it), times each connection (ConnClock) and relays its
 * bytes to `Deno.serve` on a private loopback port, which still parses HTTP and runs the app.
 */
import type { Logger } from "../log.ts";
import { BufferPool } from "./buffer_pool.ts";
import { ConnClock, type ConnLimits } from "./conn_clock.ts";
import { FrontConn } from "./front_conn.ts";
import { closeQuietly, overloadedResponse, shed } from "./shed.ts";

/** At most this many 529 answers are being written at once; beyond, a connection just closes. */
const MAX_SHEDDING = 32;
/** The longest pause after a failed accept (EMFILE and the like). */
const MAX_ACCEPT_BACKOFF_MS = 1000;

/** What the front needs to know. */
export interface FrontOptions {
  listener: Deno.TcpListener;
  limits: ConnLimits;
  maxConnections: number;
  /** The loopback port of the HTTP server right now (it may be restarted on another). */
  serverPort: () => number;
  logger: Logger;
}

/** The accept loop, the open connections and the sweeper that enforces their deadlines. */
export class Front {
  #conns = new Set<FrontConn>();
  #byServerPort = new Map<number, FrontConn>();
  #shedding = 0;
  /** Accepted connections still connecting to the HTTP server: they count against the cap. */
  #connecting = 0;
  #lastWarnAt = -Infinity;
  #sweeper: ReturnType<typeof setInterval>;
  #overloaded: Uint8Array;
  /** Large read buffers lent to connections while a body arrives. */
  #buffers = new BufferPool();
  /** Not accepting any more, while open connections finish (a graceful shutdown). */
  #draining = false;

  constructor(readonly options: FrontOptions) {
    this.#overloaded = overloadedResponse(options.maxConnections);
    const { headersMs, idleMs } = options.limits;
    // One timer for all connections; deadlines are checked to within a quarter of the shortest.
    const every = Math.max(100, Math.min(1000, Math.floor(Math.min(headersMs, idleMs) / 4)));
    this.#sweeper = setInterval(() => this.#sweep(), every);
  }

  /** Open client connections. */
  get size(): number {
    return this.#conns.size;
  }

  /** The connection the HTTP server sees arriving from `port`, if it came through the front. */
  byServerPort(port: number): FrontConn | undefined {
    return this.#byServerPort.get(port);
  }

  /** Accepts until the listener is closed. */
  async run(): Promise<void> {
    let backoff = 0;
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.options.listener.accept();
        backoff = 0;
      } catch (err) {
        if (err instanceof Deno.errors.BadResource) break;
        // EMFILE/ENFILE and friends: the connection waits in the kernel's backlog meanwhile.
        this.#warn("accept failed; retrying", err);
        backoff = Math.min(MAX_ACCEPT_BACKOFF_MS, Math.max(10, backoff * 2));
        await new Promise((r) => setTimeout(r, backoff));
        continue;
      }
      this.#admit(conn);
    }
    if (!this.#draining) this.close();
  }

  /** Stops accepting; open connections carry on until they end or `close()` is called. */
  stopAccepting(): void {
    this.#draining = true;
    try {
      this.options.listener.close();
    } catch {
      // closed already
    }
  }

  /** Stops listening and the sweeper, and closes every connection. */
  close(): void {
    clearInterval(this.#sweeper);
    try {
      this.options.listener.close();
    } catch {
      // closed already
    }
    for (const c of [...this.#conns]) c.close();
  }

  #admit(conn: Deno.TcpConn): void {
    const open = this.#conns.size + this.#connecting;
    if (open >= this.options.maxConnections && !this.#evictIdle()) {
      if (this.#shedding >= MAX_SHEDDING) return closeQuietly(conn);
      this.#shedding++;
      shed(conn, this.#overloaded).finally(() => this.#shedding--);
      return;
    }
    this.#connecting++;
    this.#relay(conn).catch(() => closeQuietly(conn)).finally(() => this.#connecting--);
  }

  /** Makes room by closing an idle kept-alive connection (the oldest); false when none is. */
  #evictIdle(): boolean {
    for (const c of this.#conns) {
      if (c.clock.idle) {
        c.close();
        return true;
      }
    }
    return false;
  }

  async #relay(client: Deno.TcpConn): Promise<void> {
    const clock = new ConnClock(Date.now(), this.options.limits);
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.options.serverPort() });
    } catch (err) {
      this.#warn("relay to the HTTP server failed", err);
      return shed(client, this.#overloaded);
    }
    client.setNoDelay(true);
    server.setNoDelay(true);
    const conn = new FrontConn(client, server, clock, (c) => {
      this.#conns.delete(c);
      this.#byServerPort.delete(c.serverSidePort);
    }, this.#buffers);
    this.#conns.add(conn);
    this.#byServerPort.set(conn.serverSidePort, conn);
    conn.start();
  }

  /** Logs at most one warning per five seconds: a descriptor storm must not flood the log. */
  #warn(msg: string, err: unknown): void {
    const now = Date.now();
    if (now - this.#lastWarnAt < 5000) return;
    this.#lastWarnAt = now;
    this.options.logger.warn(msg, { error: String(err), connections: this.#conns.size });
  }

  #sweep(): void {
    const now = Date.now();
    for (const c of this.#conns) if (c.clock.deadline() <= now) c.close();
  }
}
