/**
 * The client's address for per-address limits (admin login throttling). Directly exposed, it is
 * the TCP peer. Behind `hops` trusted reverse proxies, each appends its peer to
 * `X-Forwarded-For`, so the client is the `hops`-th entry from the right; entries further left
 * are whatever the client claimed and are ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientAddress } from "./client_address.ts";
 *
 * const headers = new Headers({ "x-forwarded-for": "spoofed, 203.0.113.7" });
 * assert.equal(clientAddress(headers, "10.0.0.2", 1), "203.0.113.7"); // behind one proxy
 * assert.equal(clientAddress(headers, "10.0.0.2", 0), "10.0.0.2"); // directly exposed
 * ```
 */
export function clientAddress(headers: Headers, peer: string | null, hops: number): string | null {
  if (hops <= 0) return peer;
  const entries = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim())
    .filter((s) => s.length > 0);
  // Fewer entries than trusted hops: the header did not come through the proxies; use the peer.
  if (entries.length < hops) return peer;
  return entries[entries.length - hops];
}
