/** Test harness: real HTTP servers on 127.0.0.1 for Detour and for mock upstreams. */
import { buildApp } from "../../lib/app.ts";
import { boot } from "../../lib/boot.ts";
import { type Env, readEnv } from "../../lib/config/env.ts";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput, ProviderInput } from "../../lib/config/schema.ts";
import type { Deps } from "../../lib/deps.ts";

/** A running server and how to stop it. */
export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Closes servers in order (Detour first, so it stops calling the mocks). */
export async function closeAll(...servers: Running[]): Promise<void> {
  for (const s of servers) await s.close();
}

/** Serves `handler` on a free loopback port. */
export function serve(
  handler: (
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) => Response | Promise<Response>,
): Running {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await server.shutdown().catch(() => {});
    },
  };
}

/** A running Detour with its dependencies (for inspecting cooldowns, KV, logs). */
export interface RunningDetour extends Running {
  deps: Deps;
  logs: string[];
  adminToken: string;
}

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/**
 * Starts Detour in-process on a free loopback port with an in-memory KV, seeded with `config`.
 * `env` overrides environment variables (ACCESS_KEYS, …).
 */
export async function startDetour(
  config: ConfigInput,
  env: Record<string, string> = {},
  /** The KV store to boot on (default: a fresh in-memory one). */
  store?: Deno.Kv,
): Promise<RunningDetour> {
  const dir = await Deno.makeTempDir();
  const configFile = `${dir}/config.json`;
  await Deno.writeTextFile(configFile, JSON.stringify(config));
  const parsedEnv: Env = readEnv({
    KV_PATH: ":memory:",
    CONFIG_FILE: configFile,
    ADMIN_TOKEN,
    LOG_LEVEL: "debug",
    ...env,
  });
  const kv = store ?? await Deno.openKv(":memory:");
  const logs: string[] = [];
  const deps = await boot(parsedEnv, kv, () => {}, (l) => logs.push(l));
  const app = buildApp(deps);
  const server = serve((req, info) => app.fetch(req, info));
  deps.listenPort = server.port; // issue 12: as main.ts sets it once listening
  return {
    ...server,
    deps,
    logs,
    adminToken: ADMIN_TOKEN,
    close: async () => {
      await server.close();
      await deps.close();
      kv.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Anthropic SSE text for a simple text answer, as the real API streams it. */
export function anthropicSse(
  text: string,
  opts: { model?: string; id?: string } = {},
): string[] {
  const model = opts.model ?? "claude-sonnet-4-5";
  const id = opts.id ?? "msg_test";
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  return [
    ev("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    ev("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),
    ev("ping", { type: "ping" }),
    ...text.split(/(?<= )/).map((t) =>
      ev("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: t },
      })
    ),
    ev("content_block_stop", { type: "content_block_stop", index: 0 }),
    ev("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 5 },
    }),
    ev("message_stop", { type: "message_stop" }),
  ];
}

/** A non-streaming Anthropic Messages answer. */
export function anthropicMessage(text: string, model = "claude-sonnet-4-5") {
  return {
    id: "msg_test",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

/** An Anthropic error response as the real API sends it. */
export function anthropicErrorResponse(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ type: "error", error: { type, message } }, {
    status,
    headers: { "request-id": "req_upstream", ...headers },
  });
}

/**
 * What the Anthropic API refuses before looking at a request, with its status and wording: no
 * credential (401 `authentication_error`, https://docs.anthropic.com/en/api/errors) and no
 * `anthropic-version` header (400 `invalid_request_error`, "anthropic-version: header is
 * required", https://docs.anthropic.com/en/api/versioning). Null when the request passes.
 */
export function anthropicRefusal(req: Request): Response | null {
  if (!req.headers.get("x-api-key") && !req.headers.get("authorization")) {
    return anthropicErrorResponse(401, "authentication_error", "x-api-key header is required");
  }
  if (!req.headers.get("anthropic-version")) {
    return anthropicErrorResponse(
      400,
      "invalid_request_error",
      "anthropic-version: header is required",
    );
  }
  return null;
}

/** A streaming response from SSE chunks, optionally spaced by `delayMs`. */
export function sseResponse(chunks: string[], delayMs = 0): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const c of chunks) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        controller.enqueue(enc.encode(c));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** What a mock upstream received. */
export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: string;
}

/** A mock upstream that records every request and answers with `answer`. */
export function mockUpstream(
  answer: (req: Request, body: string, n: number) => Response | Promise<Response>,
): Running & { received: Recorded[] } {
  const received: Recorded[] = [];
  const server = serve(async (req) => {
    const body = await req.text();
    const url = new URL(req.url);
    received.push({
      method: req.method,
      path: url.pathname,
      search: url.search,
      headers: req.headers,
      body,
    });
    return answer(req, body, received.length);
  });
  return { ...server, received };
}

// ---------------------------------------------------------------------------------------------
// Helpers for the proxy, streaming, access and models integration tests.

/** Polls `cond` every 10 ms until it holds; fails after `timeoutMs` (every wait is bounded). */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 2000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits until `signal` aborts or `maxMs` passes, whichever comes first, leaving no timer behind.
 * Resolves `true` when the signal aborted. A mock upstream "hangs" with this.
 */
export function hangUntilAborted(signal: AbortSignal, maxMs = 5000): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(false);
    }, maxMs);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A raw TCP server on loopback that accepts each connection and closes it at once (a reset). */
export function resetServer(): Running & { accepted: () => number } {
  return tcpServer((conn) => {
    try {
      conn.close();
    } catch { /* already gone */ }
  });
}

/** A raw TCP server on loopback handing each connection to `serve`, counting them. */
function tcpServer(
  serve: (conn: Deno.Conn) => void | Promise<void>,
): Running & { accepted: () => number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let accepted = 0;
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        Promise.resolve(serve(conn)).catch(() => {});
      }
    } catch { /* listener closed */ }
  })();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accepted: () => accepted,
    close: async () => {
      try {
        listener.close();
      } catch { /* already closed */ }
      await loop;
    },
  };
}

/**
 * A server that reads each request whole, then answers `200` with a JSON `content-length` of
 * `declared` bytes but sends only `sent` of them and closes: a connection dropped mid-body.
 */
export function truncatingServer(
  sent: string,
  declared: number,
): Running & { accepted: () => number } {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return tcpServer(async (conn) => {
    let text = "";
    const buf = new Uint8Array(64 * 1024);
    // Bounded: stop at the declared request body's end, or when the client stops sending.
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      const length = Number(/content-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
      if (end >= 0 && enc.encode(text.slice(end + 4)).byteLength >= length) break;
    }
    await conn.write(enc.encode(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n${sent}`,
    ));
    conn.close();
  });
}

/** A body chunk and when it arrived (ms since the request was sent). */
export interface TimedChunk {
  at: number;
  bytes: Uint8Array;
}

/** Reads a whole response body chunk by chunk, noting when each chunk arrived. */
export async function readTimed(
  res: Response,
  started: number,
): Promise<{ chunks: TimedChunk[]; text: string; end: number }> {
  const chunks: TimedChunk[] = [];
  if (res.body) {
    const reader = res.body.getReader();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push({ at: performance.now() - started, bytes: value });
    }
  }
  const end = performance.now() - started;
  const size = chunks.reduce((n, c) => n + c.bytes.byteLength, 0);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c.bytes, offset);
    offset += c.bytes.byteLength;
  }
  return { chunks, text: new TextDecoder().decode(all), end };
}

/**
 * Sends one raw HTTP/1.1 request over TCP (for headers `fetch` will not send, such as hop-by-hop
 * ones) and returns the status, headers and body text. The request must say `Connection: close`.
 */
export async function rawHttp(
  port: number,
  head: string,
  body = "",
  timeoutMs = 5000,
): Promise<{ status: number; headers: Headers; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const enc = new TextEncoder();
    const payload = enc.encode(body);
    const request = head.replace(/\r?\n/g, "\r\n").replace(/(\r\n)*$/, "") +
      `\r\ncontent-length: ${payload.byteLength}\r\n\r\n`;
    await conn.write(enc.encode(request));
    if (payload.byteLength) await conn.write(payload);
    const parts: Uint8Array[] = [];
    const buf = new Uint8Array(16 * 1024);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      parts.push(buf.slice(0, n));
    }
    // Latin-1 keeps one char per byte, so chunk sizes count right; the body is UTF-8 below.
    const text = new TextDecoder("latin1").decode(
      parts.reduce((acc, p) => {
        const out = new Uint8Array(acc.byteLength + p.byteLength);
        out.set(acc);
        out.set(p, acc.byteLength);
        return out;
      }, new Uint8Array()),
    );
    const split = text.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
    const headers = new Headers();
    for (const line of lines) {
      const i = line.indexOf(":");
      headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    let rest = text.slice(split + 4);
    if (headers.get("transfer-encoding")?.includes("chunked")) {
      let out = "";
      while (true) {
        const nl = rest.indexOf("\r\n");
        const size = parseInt(rest.slice(0, nl), 16);
        if (!size) break;
        out += rest.slice(nl + 2, nl + 2 + size);
        rest = rest.slice(nl + 2 + size + 2);
      }
      rest = out;
    }
    const decoded = new TextDecoder().decode(Uint8Array.from(rest, (ch) => ch.charCodeAt(0)));
    return { status: Number(statusLine.split(" ")[1]), headers, body: decoded };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

/** Every header value a mock upstream received, joined: for "this secret never went there". */
export function allHeaderText(recorded: Recorded[]): string {
  return recorded.map((r) => [...r.headers].map(([k, v]) => `${k}: ${v}`).join("\n")).join("\n");
}

/**
 * The chain most proxy tests use: a passthrough primary and a backup with one stored key, both
 * mocks, behind a Detour, plus an SDK client carrying `clientKey` (no retries of its own).
 */
export async function startPrimaryBackup(
  primaryAnswer: Parameters<typeof mockUpstream>[0],
  backupAnswer: Parameters<typeof mockUpstream>[0],
  opts: {
    storedKey: string;
    clientKey: string;
    primary?: Partial<ProviderInput>;
    backup?: Partial<ProviderInput>;
    config?: Partial<ConfigInput>;
    env?: Record<string, string>;
  },
) {
  const primary = mockUpstream(primaryAnswer);
  const backup = mockUpstream(backupAnswer);
  const detour = await startDetour({
    providers: [
      {
        id: "primary",
        type: "anthropic",
        baseUrl: primary.url,
        passthrough: true,
        ...opts.primary,
      },
      {
        id: "backup",
        type: "anthropic",
        baseUrl: backup.url,
        keys: [opts.storedKey],
        ...opts.backup,
      },
    ],
    ...opts.config,
  }, opts.env);
  const client = new Anthropic({ baseURL: detour.url, apiKey: opts.clientKey, maxRetries: 0 });
  return {
    primary,
    backup,
    detour,
    client,
    close: () => closeAll(detour, primary, backup),
  };
}
