/** Small Web Crypto helpers shared by auth, cooldowns and the store. */
import { timingSafeEqual as honoTimingSafeEqual } from "hono/utils/buffer";

const encoder = new TextEncoder();

/** Hex SHA-256 of a string: how secrets are identified without being kept. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const hashCache = new Map<string, string>();

/**
 * SHA-256 with a small memo: the same few client credentials arrive on every request, and the
 * hash is needed on the hot path (access-key lookup, per-credential cooldowns).
 */
export async function cachedSha256Hex(value: string): Promise<string> {
  const hit = hashCache.get(value);
  if (hit) return hit;
  const hash = await sha256Hex(value);
  if (hashCache.size >= 1024) hashCache.clear();
  hashCache.set(value, hash);
  return hash;
}

/** Compares two secrets in constant time (for equal-length inputs; length is not secret here). */
export function timingSafeEqual(a: string, b: string): Promise<boolean> {
  return honoTimingSafeEqual(a, b);
}

/** A URL-safe random token with the given prefix, e.g. `dtr_…` access keys. */
export function randomToken(prefix: string, bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  const b64 = btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  return prefix + b64;
}
