/** Which headers cross the proxy, in each direction. */

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the runtime sets itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/**
 * Request headers never sent upstream: credentials (each provider sets its own), Detour's own
 * access key, cookies, client-address headers, and accept-encoding (fetch negotiates and
 * decompresses itself; a forwarded value would hand us bytes we then mislabel).
 */
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  "x-api-key",
  "authorization",
  "x-detour-key",
  "cookie",
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  "cf-connecting-ip",
  "origin",
  "referer",
]);

/** Header names a `Connection` header declares hop-by-hop for this one message. */
function connectionTokens(headers: Headers): Set<string> | null {
  const value = headers.get("connection");
  if (!value) return null;
  return new Set(value.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/**
 * Headers as a plain map of lower-case names: on the hot path a `Map` is built and edited far
 * more cheaply than a `Headers` object, whose every iteration sorts and re-validates its list.
 * `new Request`/`new Response` take its entries (`[...map]`).
 */
export type HeaderMap = Map<string, string>;

/** The client's headers that go upstream (anthropic-version, anthropic-beta, x-app, …). */
export function forwardableRequestHeaders(client: Headers): HeaderMap {
  const out: HeaderMap = new Map();
  const declared = connectionTokens(client);
  for (const [name, value] of client) {
    if (!NOT_FORWARDED.has(name) && !declared?.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * Upstream response headers that go back to the client: everything but hop-by-hop ones and
 * cookies. When fetch decoded a compressed body, its length and encoding no longer hold and
 * both go; otherwise the length is kept, since a body of known length is sent far more cheaply
 * than a chunked one.
 */
export function forwardableResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  const declared = connectionTokens(upstream);
  const encoding = upstream.get("content-encoding");
  const decoded = encoding !== null && encoding.toLowerCase() !== "identity";
  for (const [name, value] of upstream) {
    if (name === "content-length") {
      if (!decoded) out.append(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(name) || declared?.has(name)) continue;
    if (name === "content-encoding" || name === "set-cookie") continue;
    out.append(name, value);
  }
  return out;
}

/** What `appendToList` and credential helpers need of a header collection. */
export interface HeaderSink {
  get(name: string): string | null | undefined;
  set(name: string, value: string): unknown;
}

/** Adds one value to a comma-joined header (e.g. a beta flag) unless it is already there. */
export function appendToList(headers: HeaderSink, name: string, value: string): void {
  const current = headers.get(name);
  if (!current) return void headers.set(name, value);
  const items = current.split(",").map((s) => s.trim());
  if (!items.includes(value)) headers.set(name, `${current},${value}`);
}

/** Milliseconds a `retry-after` / `retry-after-ms` pair asks for, or 0. */
export function retryAfterMs(headers: Headers, now = Date.now()): number {
  const ms = Number(headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get("retry-after");
  if (!raw) return 0;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}
