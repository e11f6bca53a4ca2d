/** The inbound request as every later stage sees it: body read once, parsed once. */
import type { ClientContext } from "../auth/client.ts";

/**
 * Which Anthropic endpoint the request is for (an OpenAI chat request is `messages`). Not the
 * request log's `endpoint`, which names the route (see serve.ts `route`).
 */
export type Endpoint = "messages" | "count_tokens";

/**
 * What later stages work out from one body and ask for again. A typed field of the request
 * (never a WeakMap keyed by it: V8 would promote the body with it, see ARCHITECTURE.md), and
 * a copy of the request with another body starts with a fresh one.
 */
export interface BodyMemo {
  /** Re-serialized bodies per upstream model name. */
  reserialized?: Map<string, Uint8Array<ArrayBuffer>>;
  /** The first message's fingerprint (lib/repair/conversation.ts `historyKey`). */
  firstMessageHash?: string;
}

/** One client request, read and validated by the route. */
export interface InboundRequest {
  id: string;
  endpoint: Endpoint;
  /** The query string as sent (`?beta=true`), forwarded unchanged. */
  search: string;
  headers: Headers;
  /** The body bytes exactly as received. */
  raw: Uint8Array<ArrayBuffer>;
  /** The parsed body (an object with a string `model`). */
  json: Record<string, unknown>;
  model: string;
  stream: boolean;
  client: ClientContext;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** What was derived from `json`, created on first use. */
  memo?: BodyMemo;
}

/**
 * The body to send for an upstream model name: the received bytes when the name is unchanged,
 * else the body re-serialized once per distinct name.
 */
export function bodyForModel(req: InboundRequest, model: string): Uint8Array<ArrayBuffer> {
  if (model === req.model) return req.raw;
  const cache = (req.memo ??= {}).reserialized ??= new Map();
  let body = cache.get(model);
  if (!body) {
    body = new TextEncoder().encode(JSON.stringify({ ...req.json, model }));
    cache.set(model, body);
  }
  return body;
}
