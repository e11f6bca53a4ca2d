/** Test harness: real HTTP servers on 127.0.0.1 for Detour and for mock upstreams. */
import { buildApp } from "../../lib/app.ts";
import { boot } from "../../lib/boot.ts";
import { type Env, readEnv } from "../../lib/config/env.ts";
import type { ConfigInput } from "../../lib/config/schema.ts";
import type { Deps } from "../../lib/deps.ts";

/** A running server and how to stop it. */
export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
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
  const kv = await Deno.openKv(":memory:");
  const logs: string[] = [];
  const deps = await boot(parsedEnv, kv, () => {});
  deps.logger = (await import("../../lib/log.ts")).createLogger("debug", (l) => logs.push(l));
  const app = buildApp(deps);
  const server = serve((req, info) => app.fetch(req, info));
  return {
    ...server,
    deps,
    logs,
    adminToken: ADMIN_TOKEN,
    close: async () => {
      await server.close();
      deps.close();
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
