/** Access keys created through the admin API: stored as hashes, shown once. */
import { z } from "zod";
import { KV } from "./keys.ts";

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
  for await (const entry of kv.list<unknown>({ prefix: KV.accessKeyPrefix() })) {
    const parsed = AccessKeyRecordSchema.safeParse(entry.value);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Stores a new access key record and bumps the revision other instances watch. */
export async function addAccessKey(kv: Deno.Kv, record: AccessKeyRecord): Promise<void> {
  const result = await kv.atomic()
    .check({ key: KV.accessKeyByHash(record.hash), versionstamp: null })
    .set(KV.accessKey(record.id), record)
    .set(KV.accessKeyByHash(record.hash), record.id)
    .sum(KV.accessKeysRevision(), 1n)
    .commit();
  if (!result.ok) throw new Error("access key collision");
}

/** Deletes an access key; false when there was none with that id. */
export async function revokeAccessKey(kv: Deno.Kv, id: string): Promise<boolean> {
  const entry = await kv.get<AccessKeyRecord>(KV.accessKey(id));
  if (!entry.value) return false;
  await kv.atomic().check(entry)
    .delete(KV.accessKey(id))
    .delete(KV.accessKeyByHash(entry.value.hash))
    .sum(KV.accessKeysRevision(), 1n)
    .commit();
  return true;
}
