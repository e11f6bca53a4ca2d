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
 * Credential headers a client may send, in every API's spelling. None crosses: each provider
 * sets its own (a passthrough one re-sets the client's x-api-key or Bearer), and a stored-key
 * provider must never receive a credential of the client's beside the stored one, which could
 * change whose account pays or leak the client's secret to another vendor.
 */
export const CLIENT_CREDENTIAL_HEADERS = [
  "x-api-key",
  "authorization",
  "proxy-authorization",
  "x-detour-key",
  "api-key", // Azure OpenAI
  "x-goog-api-key", // Gemini
  "x-goog-user-project", // Google: which project is billed
  "x-amz-security-token", // AWS session credentials
  "x-amz-date", // with x-amz-content-sha256: parts of a client's own SigV4 signature
  "x-amz-content-sha256",
  "x-auth-token",
  "x-access-token",
  "openai-organization", // OpenAI: which organisation and project are billed
  "openai-project",
  "cookie",
] as const;

/**
 * Request headers never sent upstream: credentials, client-address headers, and
 * accept-encoding (fetch negotiates and decompresses itself; a forwarded value would hand us
 * bytes we then mislabel).
 */
const NOT_FORWARDED = new Set<string>([
  ...HOP_BY_HOP,
  ...CLIENT_CREDENTIAL_HEADERS,
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  "cf-connecting-ip",
  "true-client-ip",
  "via",
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
 * A mutable copy of `headers`. Iterating a `Headers` object sorts, combines and re-validates its
 * whole list on every pass (about 50 µs for Claude Code's 20-odd headers); the `Response`
 * constructor copies the list natively in a few µs.
 */
export function copyHeaders(headers: Headers): Headers {
  return new Response(null, { headers }).headers;
}

/** The client's headers that go upstream (anthropic-version, anthropic-beta, x-app, …). */
export function forwardableRequestHeaders(client: Headers): Headers {
  const out = copyHeaders(client);
  const declared = connectionTokens(client);
  // Deleting the few names that must not cross is cheaper than copying the rest one by one.
  for (const name of NOT_FORWARDED) out.delete(name);
  if (declared) { for (const name of declared) out.delete(name); }
  return out;
}

/**
 * Removes, in place, the upstream response headers that must not reach the client: hop-by-hop
 * ones, cookies, and the encoding (fetch has decoded the body). When the body was decoded, its
 * length no longer holds either; otherwise the length stays, since a body of known length is
 * sent far more cheaply than a chunked one.
 */
function pruneResponseHeaders(headers: Headers): Headers {
  const encoding = headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") headers.delete("content-length");
  const declared = connectionTokens(headers);
  for (const name of HOP_BY_HOP) if (name !== "content-length") headers.delete(name);
  if (declared) {
    for (const name of declared) {
      if (name !== "content-length") headers.delete(name);
    }
  }
  headers.delete("content-encoding");
  headers.delete("set-cookie");
  return headers;
}

/** Upstream response headers that go back to the client (a pruned copy). */
export function forwardableResponseHeaders(upstream: Headers): Headers {
  return pruneResponseHeaders(copyHeaders(upstream));
}

/** A client response of `body` carrying the upstream's forwardable headers. */
export function responseWithUpstreamHeaders(
  body: BodyInit | null,
  status: number,
  upstream: Headers,
): Response {
  const res = new Response(body, { status, headers: upstream });
  pruneResponseHeaders(res.headers);
  return res;
}

/** Adds one value to a comma-joined header (e.g. a beta flag) unless it is already there. */
export function appendToList(headers: Headers, name: string, value: string): void {
  const current = headers.get(name);
  if (!current) return headers.set(name, value);
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
