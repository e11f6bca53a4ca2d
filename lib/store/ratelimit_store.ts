/**
 * The latest rate-limit gauges per credential in KV, so every instance sees what any of them
 * read (lib/usage/ratelimit_board.ts mirrors them in memory and writes them in batches).
 */
import * as z from "zod";
import { GaugesSchema } from "../usage/ratelimit_headers.ts";
import { KV } from "./keys.ts";

export const GaugeRecordSchema = z.object({
  /** The provider the credential belongs to. */
  provider: z.string().max(100),
  /** What the page calls the credential: a key label, an access key's label, or a short hash. */
  label: z.string().max(200),
  gauges: GaugesSchema,
});
export type GaugeRecord = z.infer<typeof GaugeRecordSchema>;

/** A record lasts until its last window resets, plus a day; at least a day, at most 9 days. */
function expireInOf(r: GaugeRecord, now: number): number {
  const resets = Object.values(r.gauges.windows).map((w) => w?.resetsAt ?? 0);
  const last = Math.max(now, r.gauges.resetsAt ?? 0, ...resets);
  return Math.min(last - now + 86_400_000, 9 * 86_400_000);
}

/** Writes a batch of records in one atomic operation per 10 (KV's mutation limit is generous). */
export async function putGaugeRecords(
  kv: Deno.Kv,
  records: [target: string, record: GaugeRecord][],
  now = Date.now(),
): Promise<void> {
  for (let i = 0; i < records.length; i += 10) {
    const op = kv.atomic();
    for (const [target, r] of records.slice(i, i + 10)) {
      op.set(KV.rateLimit(target), r, { expireIn: expireInOf(r, now) });
    }
    await op.commit();
  }
}

/** Every stored record, by credential target; malformed ones are left out. */
export async function listGaugeRecords(kv: Deno.Kv): Promise<Map<string, GaugeRecord>> {
  const out = new Map<string, GaugeRecord>();
  for await (
    const entry of kv.list<unknown>({ prefix: KV.rateLimitPrefix() }, { consistency: "eventual" })
  ) {
    const parsed = GaugeRecordSchema.safeParse(entry.value);
    if (parsed.success) out.set(String(entry.key[1]), parsed.data);
  }
  return out;
}
