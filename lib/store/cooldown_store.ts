/** Cooldowns as KV entries that expire by themselves, shared by every instance. */
import { z } from "zod";
import { KV } from "./keys.ts";

export const CooldownSchema = z.object({
  until: z.number(),
  reason: z.string(),
});
export type Cooldown = z.infer<typeof CooldownSchema>;

/** Records that `target` should be skipped until `cooldown.until`. */
export async function putCooldown(kv: Deno.Kv, target: string, cooldown: Cooldown): Promise<void> {
  const ms = cooldown.until - Date.now();
  if (ms <= 0) return;
  await kv.set(KV.cooldown(target), cooldown, { expireIn: ms });
}

/** Removes a cooldown (an admin clearing it, or a successful probe). */
export async function deleteCooldown(kv: Deno.Kv, target: string): Promise<void> {
  await kv.delete(KV.cooldown(target));
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
