/**
 * The fallback engine in process, for tests that watch it work: a chain from `providers`, the
 * app's adapters with a fetch stub as their innermost step, and cooldowns kept in a Map. No
 * sockets: an in-memory KV holds the config.
 */
import type { ClientContext } from "../../lib/auth/client.ts";
import { LiveConfig } from "../../lib/config/live_config.ts";
import { type ConfigInput, ConfigSchema, type ProviderInput } from "../../lib/config/schema.ts";
import { type EngineResult, runAttempts } from "../../lib/fallback/engine.ts";
import type { InboundRequest } from "../../lib/fallback/inbound.ts";
import { planAttempts } from "../../lib/fallback/plan.ts";
import { createLogger } from "../../lib/log.ts";
import { createAdapters } from "../../lib/providers/adapters.ts";
import { ClaudeOAuth } from "../../lib/providers/claude_subscription.ts";
import { GoogleTokens } from "../../lib/providers/google_auth.ts";
import { ConversationBook } from "../../lib/repair/conversation.ts";
import type { Cooldown } from "../../lib/store/cooldown_store.ts";

/** Answers one upstream request; `n` counts calls from 1. */
export type Upstream = (req: Request, n: number) => Response | Promise<Response>;

/** A running engine fixture. */
export interface EngineFixture {
  /** Plans and runs one request (Messages, non-streaming unless `stream`). */
  run(opts?: {
    body?: Record<string, unknown>;
    stream?: boolean;
    signal?: AbortSignal;
    /** Client headers besides `anthropic-version`. */
    headers?: Record<string, string>;
    /** Cooldowns the plan sees (default: the ones this fixture recorded). */
    cooling?: Map<string, { until: number }>;
    now?: number;
  }): Promise<EngineResult>;
  /** Every upstream request, in order. */
  calls: Request[];
  /** Cooldowns the engine started, by target. */
  cooled: Map<string, Cooldown>;
  close(): void;
}

/** A client with an authorised access key and its own credential. */
export const testClient: ClientContext = {
  credential: { header: "x-api-key", value: "sk-client-0000", hash: "c".repeat(64) },
  authorized: true,
  accessKey: null,
  badAccessKey: false,
};

/** Starts an engine fixture over `providers`, whose upstream answers come from `upstream`. */
export async function engineFixture(
  providers: ProviderInput[],
  upstream: Upstream,
  config: Partial<ConfigInput> = {},
): Promise<EngineFixture> {
  const kv = await Deno.openKv(":memory:");
  const live = await LiveConfig.open(kv, ConfigSchema.parse({ ...config, providers }));
  const calls: Request[] = [];
  const cooled = new Map<string, Cooldown>();
  const stub: typeof fetch = (input, init) => {
    const req = input instanceof Request && !init ? input : new Request(input, init);
    calls.push(req);
    return Promise.resolve(upstream(req, calls.length));
  };
  const adapters = createAdapters({
    fetch: stub,
    oauth: new ClaudeOAuth(kv),
    google: new GoogleTokens(stub),
    logger: createLogger("silent"),
    live,
    conversations: new ConversationBook(),
  });
  return {
    calls,
    cooled,
    close: () => kv.close(),
    run(opts = {}) {
      const json = opts.body ??
        { model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] };
      const stream = opts.stream ?? false;
      const req: InboundRequest = {
        id: crypto.randomUUID(),
        endpoint: "messages",
        search: "",
        headers: new Headers({ "anthropic-version": "2023-06-01", ...opts.headers }),
        raw: new TextEncoder().encode(JSON.stringify({ ...json, stream })),
        json: { ...json, stream },
        model: String(json.model),
        stream,
        client: testClient,
        signal: opts.signal ?? new AbortController().signal,
      };
      const cooling = opts.cooling ?? cooled;
      const plan = planAttempts(live.chain, req.model, req.client, {
        get: (t) => cooling.get(t),
      }, opts.now);
      return runAttempts(req, plan.attempts, live.chain.config, {
        send: adapters.send,
        cooldowns: {
          set: (target, cooldown) => Promise.resolve(void cooled.set(target, cooldown)),
        },
      });
    },
  };
}

/** An Anthropic-style JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return Response.json(body, { status, headers });
}

/** An Anthropic error answer. */
export function apiError(status: number, type: string, message: string, headers = {}) {
  return json({ type: "error", error: { type, message } }, status, headers);
}

/** An SSE answer from whole event strings. */
export function sse(events: string[]): Response {
  const enc = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(c) {
        for (const e of events) c.enqueue(enc.encode(e));
        c.close();
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}

/** One SSE event. */
export const event = (name: string, data: unknown) =>
  `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
