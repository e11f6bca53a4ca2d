/** The hash of a generated admin token, kept so a restart keeps the same token. */
import { KV } from "./keys.ts";

/** The stored admin-token hash, if one was generated before. */
export async function getAdminTokenHash(kv: Deno.Kv): Promise<string | null> {
  return (await kv.get<string>(KV.adminTokenHash())).value;
}

/** Stores the hash only if none exists; returns the hash that won (another instance may race). */
export async function initAdminTokenHash(kv: Deno.Kv, hash: string): Promise<string> {
  const result = await kv.atomic().check({ key: KV.adminTokenHash(), versionstamp: null })
    .set(KV.adminTokenHash(), hash).commit();
  if (result.ok) return hash;
  return (await getAdminTokenHash(kv))!;
}

/** Forgets the generated token (`deno task reset-admin-token`). */
export async function clearAdminTokenHash(kv: Deno.Kv): Promise<void> {
  await kv.delete(KV.adminTokenHash());
}
