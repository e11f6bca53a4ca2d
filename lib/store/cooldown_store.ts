/** Cooldowns as KV entries that expire by themselves, shared by every instance. */
import * as z from "zod";
import { KV } from "./keys.ts";
import { ADMIN_KV_TIMEOUT_MS, withKvTimeout } from "./kv_timeout.ts";

export const CooldownSchema = z.object({
  until: z.number(),
  reason: z.string(),
});
export type Cooldown = z.infer<typeof CooldownSchema>;

/** Records that `target` should be skipped until `cooldown.until`. */
export async function putCooldown(kv: Deno.Kv, target: string, cooldown: Cooldown): Promise<void> {
  const ms = cooldown.until - Date.now();
  if (ms <= 0) return;
  // The version bump in the same op tells every watching instance to re-read the cooldowns.
  await withKvTimeout(
    kv.atomic().set(KV.cooldown(target), cooldown, { expireIn: ms })
      .sum(KV.cooldownsVersion(), 1n).commit(),
    ADMIN_KV_TIMEOUT_MS,
    "saving a cooldown",
  );
}

/** Removes a cooldown (an admin clearing it, or a successful probe). */
export async function deleteCooldown(kv: Deno.Kv, target: string): Promise<void> {
  await withKvTimeout(
    kv.atomic().delete(KV.cooldown(target)).sum(KV.cooldownsVersion(), 1n).commit(),
    ADMIN_KV_TIMEOUT_MS,
    "clearing a cooldown",
  );
}

/** Every live cooldown; expired entries are filtered even if KV has not swept them yet. */
export async function listCooldowns(kv: Deno.Kv): Promise<Map<string, Cooldown>> {
  const out = new Map<string, Cooldown>();
  const now = Date.now();
  for await (
    const entry of kv.list<unknown>({ prefix: KV.cooldownPrefix() }, { consistency: "eventual" })
  ) {
    const parsed = CooldownSchema.safeParse(entry.value);
    if (parsed.success && parsed.data.until > now) out.set(String(entry.key[1]), parsed.data);
  }
  return out;
}
