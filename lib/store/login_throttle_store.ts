/** Failed admin logins per client address, kept in KV with an expiry. */
import { KV } from "./keys.ts";

/** What is known about one address's recent failures. */
export interface LoginFailures {
  count: number;
  /** The window's end: the record disappears then (ms since the epoch). */
  resetAt: number;
  /** Set once the address has used up its attempts (ms since the epoch). */
  lockedUntil: number | null;
}

/** The address's failures in the current window, if any. */
export async function readLoginFailures(
  kv: Deno.Kv,
  address: string,
  now = Date.now(),
): Promise<LoginFailures | null> {
  const entry = await kv.get<LoginFailures>(KV.loginFailures(address));
  // KV expiry is lazy: an entry may outlive its expireIn by a little.
  return entry.value && entry.value.resetAt > now ? entry.value : null;
}

/**
 * Counts one more failure (atomically, retried on a race). The window starts at the first
 * failure; reaching `limit` locks the address for `lockMs`.
 */
export async function addLoginFailure(
  kv: Deno.Kv,
  address: string,
  opts: { limit: number; windowMs: number; lockMs: number },
  now = Date.now(),
): Promise<LoginFailures> {
  const key = KV.loginFailures(address);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<LoginFailures>(key);
    const current = entry.value && entry.value.resetAt > now ? entry.value : null;
    const count = (current?.count ?? 0) + 1;
    const locked = count >= opts.limit;
    const next: LoginFailures = {
      count,
      resetAt: locked ? now + opts.lockMs : current?.resetAt ?? now + opts.windowMs,
      lockedUntil: locked ? now + opts.lockMs : null,
    };
    const result = await kv.atomic().check(entry).set(key, next, {
      expireIn: Math.max(1000, next.resetAt - now),
    }).commit();
    if (result.ok) return next;
  }
  throw new Error("could not record a failed login");
}

/** Forgets an address's failures (after a successful login). */
export async function clearLoginFailures(kv: Deno.Kv, address: string): Promise<void> {
  await kv.delete(KV.loginFailures(address));
}
