/** The inbound request as every later stage sees it: body read once, parsed once. */
import type { ClientContext } from "../auth/client.ts";
import { objectSlot } from "../object_slot.ts";

/** Which Anthropic endpoint the client called. */
export type Endpoint = "messages" | "count_tokens";

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
}

/** Re-serialized bodies per upstream model name; a repaired copy of `req` starts without. */
const reserialized = objectSlot<Map<string, Uint8Array<ArrayBuffer>>>("inbound.reserialized");

/**
 * The body to send for an upstream model name: the received bytes when the name is unchanged,
 * else the body re-serialized once per distinct name.
 */
export function bodyForModel(req: InboundRequest, model: string): Uint8Array<ArrayBuffer> {
  if (model === req.model) return req.raw;
  let cache = reserialized.get(req);
  if (!cache) reserialized.set(req, cache = new Map());
  let body = cache.get(model);
  if (!body) {
    body = new TextEncoder().encode(JSON.stringify({ ...req.json, model }));
    cache.set(model, body);
  }
  return body;
}
