/**
 * Serving Detour: on Deno Deploy the platform owns connections, so plain `Deno.serve`; anywhere
 * else the front listener (front.ts) accepts connections, times them and sheds load, and
 * `Deno.serve` runs on a private loopback port behind it.
 */
import type { Logger } from "../log.ts";
import type { BodyFraming, ConnLimits } from "./conn_clock.ts";
import { assumedFdLimit, connectionCap, readSoftFdLimit } from "./fd_limit.ts";
import { Front } from "./front.ts";

/** At shutdown, the front's connections get this many 10 ms checks to finish relaying. */
const RELAY_SETTLE_CHECKS = 30;

/** A request handler as `Deno.serve` calls it. */
export type Handler = Deno.ServeHandler<Deno.NetAddr>;

/** Where and how to listen. */
export interface ListenOptions {
  port: number;
  hostname: string;
  /** True on Deno Deploy (DENO_DEPLOYMENT_ID set): no front listener. */
  deploy: boolean;
  /** FRONT_LISTENER=off: no front listener, `Deno.serve` on the public port (restarted if it fails). */
  direct?: boolean;
  limits: ConnLimits;
  /** MAX_CONNECTIONS; unset: derived from the descriptor limit. */
  maxConnections?: number;
  logger: Logger;
  onListen(addr: Deno.NetAddr, maxConnections: number | null): void;
}

/** A running server. */
export interface Serving {
  addr: Deno.NetAddr;
  /** Stops accepting connections; resolves once every in-flight response has been sent. */
  shutdown(): Promise<void>;
  /** Closes whatever connections are left (after `shutdown`, when its grace is over). */
  close(): Promise<void>;
}

/** Starts serving `handler` as `options` say. */
export function listen(options: ListenOptions, handler: Handler): Serving {
  if (options.deploy) {
    const { port, hostname, onListen } = options;
    const server = Deno.serve({ port, hostname, onListen: (a) => onListen(a, null) }, handler);
    return { addr: server.addr, shutdown: () => server.shutdown(), close: async () => {} };
  }
  if (options.direct) return new Direct(options, handler);
  return new SelfHosted(options, handler);
}

/**
 * A `Deno.serve` made by `start`, made again should its accept loop fail (EMFILE despite every
 * cap), instead of the rejection ending the process; a failed start is retried, waiting longer.
 */
class Restarting {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #stopped = false;

  constructor(readonly start: () => Deno.HttpServer<Deno.NetAddr>, readonly logger: Logger) {
    this.#server = this.#watch(start());
  }

  /** The server running now. */
  get server(): Deno.HttpServer<Deno.NetAddr> {
    return this.#server;
  }

  /** Stops it for good; resolves once every in-flight response has been sent. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.#server.shutdown();
  }

  #watch(server: Deno.HttpServer<Deno.NetAddr>): Deno.HttpServer<Deno.NetAddr> {
    server.finished.catch((err) => {
      if (this.#stopped) return;
      this.logger.error("HTTP server failed; restarting it", { error: String(err) });
      // A short pause: the descriptors it was short of are freed as connections end.
      setTimeout(() => this.#restart(100), 100);
    });
    return server;
  }

  #restart(backoffMs: number): void {
    if (this.#stopped) return;
    try {
      this.#server = this.#watch(this.start());
    } catch (err) {
      this.logger.error("HTTP server restart failed", { error: String(err) });
      const next = Math.min(2000, backoffMs * 2);
      setTimeout(() => this.#restart(next), next);
    }
  }
}

/**
 * `Deno.serve` on the public port with no front (FRONT_LISTENER=off, behind a proxy that bounds
 * connections itself), restarted on the same port if it fails.
 */
class Direct implements Serving {
  readonly addr: Deno.NetAddr;
  #http: Restarting;

  constructor(options: ListenOptions, handler: Handler) {
    let port = options.port;
    let onListen = (addr: Deno.NetAddr) => options.onListen(addr, null);
    this.#http = new Restarting(() => {
      const server = Deno.serve({ port, hostname: options.hostname, onListen }, handler);
      // A restart takes the same port (PORT=0 picked one), and announces nothing.
      port = server.addr.port;
      onListen = () => {};
      return server;
    }, options.logger);
    this.addr = this.#http.server.addr;
  }

  shutdown(): Promise<void> {
    return this.#http.shutdown();
  }

  /** Nothing to do: the process exits right after, taking any response left with it. */
  async close(): Promise<void> {}
}

/** The body framing of a request that reached the handler, for the connection's clock. */
export function bodyFraming(req: Request): BodyFraming {
  const length = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isInteger(length) && length >= 0) return { length };
  return /chunked/i.test(req.headers.get("transfer-encoding") ?? "") ? "chunked" : { length: 0 };
}

/** The front listener and the loopback `Deno.serve` it relays to (restarted if it fails). */
class SelfHosted implements Serving {
  readonly addr: Deno.NetAddr;
  #front: Front;
  #http: Restarting;

  constructor(readonly options: ListenOptions, readonly handler: Handler) {
    const listener = Deno.listen({ port: options.port, hostname: options.hostname });
    this.addr = listener.addr;
    const fds = assumedFdLimit(readSoftFdLimit(), Deno.build.os);
    const maxConnections = connectionCap(fds, options.maxConnections);
    // The loopback server behind the front: a restart takes a new port, which the front reads.
    this.#http = new Restarting(() =>
      Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        (req, info) => this.#relayed(req, info),
      ), options.logger);
    this.#front = new Front({
      listener,
      limits: options.limits,
      maxConnections,
      serverPort: () => this.#http.server.addr.port,
      logger: options.logger,
    });
    this.#front.run().catch((err) => {
      options.logger.error("the listener stopped", { error: String(err) });
    });
    options.onListen(this.addr, maxConnections);
  }

  async shutdown(): Promise<void> {
    // Open connections stay: the loopback server closes each one once its response is done.
    this.#front.stopAccepting();
    await this.#http.shutdown();
  }

  async close(): Promise<void> {
    // A response the loopback server has finished may still be on its way through the front,
    // which closes each connection once it has relayed the last byte: give it a moment.
    for (let i = 0; i < RELAY_SETTLE_CHECKS && this.#front.size > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.#front.close();
  }

  #relayed(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response | Promise<Response> {
    const conn = this.#front.byServerPort(info.remoteAddr.port);
    // Only the front connects here; anything else on this host took a shortcut around its limits.
    if (!conn) return new Response("Connect to Detour's own port.\n", { status: 421 });
    const clock = conn.clock;
    clock.requestStarted(bodyFraming(req), Date.now());
    const ended = () => clock.requestEnded(Date.now());
    info.completed.then(ended, ended);
    return this.handler(req, { remoteAddr: conn.remoteAddr, completed: info.completed });
  }
}
