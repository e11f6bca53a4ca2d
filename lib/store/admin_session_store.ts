/** Admin sessions: the cookie-signing secret and the record of each live session. */
import { KV } from "./keys.ts";

/**
 * The random secret admin session cookies are signed with: created once (atomically, so
 * every instance agrees on it) and kept in KV, so sessions survive restarts and are valid on
 * every instance.
 */
export async function sessionSecret(kv: Deno.Kv): Promise<Uint8Array> {
  const key = KV.sessionSecret();
  const existing = await kv.get<Uint8Array>(key);
  if (existing.value instanceof Uint8Array) return existing.value;
  const fresh = crypto.getRandomValues(new Uint8Array(32));
  const result = await kv.atomic().check({ key, versionstamp: null }).set(key, fresh).commit();
  if (result.ok) return fresh;
  const winner = await kv.get<Uint8Array>(key);
  if (!(winner.value instanceof Uint8Array)) {
    throw new Error("the session secret could not be read");
  }
  return winner.value;
}

/** Records a live session until `expiresAt` (ms since the epoch). */
export async function putAdminSession(
  kv: Deno.Kv,
  idHash: string,
  expiresAt: number,
): Promise<void> {
  await kv.set(KV.adminSession(idHash), { expiresAt }, {
    expireIn: Math.max(1000, expiresAt - Date.now()),
  });
}

/** True while the session has not been ended (logout) or expired. */
export async function adminSessionLive(kv: Deno.Kv, idHash: string): Promise<boolean> {
  const entry = await kv.get<{ expiresAt: number }>(KV.adminSession(idHash));
  return entry.value !== null && entry.value.expiresAt > Date.now();
}

/** Ends a session (logout, or rotation at the next login). */
export async function deleteAdminSession(kv: Deno.Kv, idHash: string): Promise<void> {
  await kv.delete(KV.adminSession(idHash));
}
