/**
 * Loop protection: every upstream request carries `x-detour-hop`, the ids of the
 * Detour instances it has passed through, this one's last. A request that arrives carrying this
 * instance's own id (or too many hops) has come round in a loop and is refused with 508, so a
 * provider whose base URL leads back to Detour costs one refused request instead of recursing
 * until descriptors run out. Ids are random per instance, so a client cannot guess one to make
 * Detour refuse others' requests; its own request is all a forged header can affect.
 */
import type { MiddlewareHandler } from "hono";
import { anthropicError } from "../http/errors.ts";

/** The header naming the Detour instances a request has passed through. */
export const HOP_HEADER = "x-detour-hop";
/** More Detours than this in a row is a loop between instances that do not know each other. */
const MAX_HOPS = 8;

/** A fresh, unguessable instance id. */
export function newHopId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function hopsOf(headers: Headers): string[] {
  const value = headers.get(HOP_HEADER);
  return value ? value.split(",").map((h) => h.trim()).filter(Boolean) : [];
}

/** True when `headers` show the request has already passed through instance `id`. */
export function isLoop(headers: Headers, id: string): boolean {
  const hops = hopsOf(headers);
  return hops.length >= MAX_HOPS || hops.includes(id);
}

/**
 * Marks an outgoing upstream request as having passed through instance `id` (after the hops the
 * inbound request already carried). Returns the request to send.
 */
export function markHop(upstream: Request, inbound: Headers, id: string | undefined): Request {
  if (!id) return upstream;
  const value = [...hopsOf(inbound).slice(-MAX_HOPS), id].join(", ");
  try {
    upstream.headers.set(HOP_HEADER, value);
    return upstream;
  } catch {
    // Immutable headers (a request an adapter cloned oddly): copy it with the header set.
    const headers = new Headers(upstream.headers);
    headers.set(HOP_HEADER, value);
    return new Request(upstream, { headers });
  }
}

/** Middleware: refuses, with 508 Loop Detected, a request that already passed through `id`. */
export function refuseLoops(hopId: () => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const id = hopId();
    if (id && c.req.raw.headers.has(HOP_HEADER) && isLoop(c.req.raw.headers, id)) {
      return anthropicError(
        508,
        "Detour: this request came back to the Detour that sent it (a provider's baseUrl " +
          "points at Detour itself); refused to avoid a loop",
        { type: "api_error", headers: { "x-detour-provider": "none" } },
      );
    }
    await next();
  };
}

/** Loopback and wildcard names a listening Detour answers on. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0", "[::]"]);

/**
 * True when `baseUrl` is Detour's own listen address (a local name with Detour's `port`): such
 * a provider would send every request back into Detour.
 */
export function isOwnAddress(baseUrl: string, port: number | undefined): boolean {
  if (!port) return false;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  const local = LOCAL_HOSTS.has(host) || host.endsWith(".localhost") || /^127\./.test(host);
  const urlPort = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return local && urlPort === port;
}

/** The config issues for providers whose base URL is Detour's own address (path `providers.i.baseUrl`). */
export function selfLoopIssues(
  providers: { baseUrl: string }[],
  port: number | undefined,
): { path: string; message: string }[] {
  return providers.flatMap((p, i) =>
    isOwnAddress(p.baseUrl, port)
      ? [{
        path: `providers.${i}.baseUrl`,
        message: `${p.baseUrl} is Detour's own address: requests would loop back into Detour`,
      }]
      : []
  );
}

/**
 * `fetch` that marks every request it sends as having passed through instance `id` (model
 * lists and token endpoints: attempts get the inbound hops too, through `markHop`).
 */
export function hopFetch(send: typeof fetch, id: string | undefined): typeof fetch {
  if (!id) return send;
  return (input, init) => {
    const request = input instanceof Request && !init ? input : new Request(input, init);
    return send(request.headers.has(HOP_HEADER) ? request : markHop(request, new Headers(), id));
  };
}
