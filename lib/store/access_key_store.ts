/** Access keys created through the admin API: stored as hashes, shown once. */
import * as z from "zod";
import { KV } from "./keys.ts";
import { ADMIN_KV_TIMEOUT_MS, withKvTimeout } from "./kv_timeout.ts";

export const AccessKeyRecordSchema = z.object({
  id: z.string(),
  label: z.string(),
  hash: z.string(),
  /** The first characters, so a user can tell keys apart; never enough to use one. */
  hint: z.string(),
  createdAt: z.string(),
});
export type AccessKeyRecord = z.infer<typeof AccessKeyRecordSchema>;

/** Every stored access key record. */
export async function listAccessKeys(kv: Deno.Kv): Promise<AccessKeyRecord[]> {
  const out: AccessKeyRecord[] = [];
  const entries = await withKvTimeout(
    Array.fromAsync(kv.list<unknown>({ prefix: KV.accessKeyPrefix() })),
    ADMIN_KV_TIMEOUT_MS,
    "reading the access keys",
  );
  for (const entry of entries) {
    const parsed = AccessKeyRecordSchema.safeParse(entry.value);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Stores a new access key record and bumps the revision other instances watch. */
export async function addAccessKey(kv: Deno.Kv, record: AccessKeyRecord): Promise<void> {
  const result = await withKvTimeout(
    kv.atomic()
      .check({ key: KV.accessKeyByHash(record.hash), versionstamp: null })
      .set(KV.accessKey(record.id), record)
      .set(KV.accessKeyByHash(record.hash), record.id)
      .sum(KV.accessKeysRevision(), 1n)
      .commit(),
    ADMIN_KV_TIMEOUT_MS,
    "saving the access key",
  );
  if (!result.ok) throw new Error("access key collision");
}

/** Deletes an access key; false when there was none with that id. */
export async function revokeAccessKey(kv: Deno.Kv, id: string): Promise<boolean> {
  const entry = await withKvTimeout(
    kv.get<AccessKeyRecord>(KV.accessKey(id)),
    ADMIN_KV_TIMEOUT_MS,
    "reading the access key",
  );
  if (!entry.value) return false;
  const result = await withKvTimeout(
    kv.atomic().check(entry)
      .delete(KV.accessKey(id))
      .delete(KV.accessKeyByHash(entry.value.hash))
      .sum(KV.accessKeysRevision(), 1n)
      .commit(),
    ADMIN_KV_TIMEOUT_MS,
    "revoking the access key",
  );
  // Someone changed it meanwhile (a concurrent revoke): whatever it is now, it is not this key.
  if (!result.ok) return revokeAccessKey(kv, id);
  return true;
}
