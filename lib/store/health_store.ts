/** What the admin status page shows: last outcome and hourly counts per provider and key. */
import * as z from "zod";
import { KV } from "./keys.ts";

const LastErrorSchema = z.object({ message: z.string(), at: z.string() });

/** One attempt's outcome, as the engine reports it after the response went out. */
export interface OutcomeRecord {
  /** Provider target and, for stored keys, the key target too (lib/fallback/targets.ts). */
  targets: string[];
  ok: boolean;
  error?: string;
}

/** A target's health as the status endpoint reports it. */
export interface HealthSummary {
  lastOkAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  ok24h: number;
  fail24h: number;
}

const HOUR = 3_600_000;

/** A batch of outcomes as KV mutations: hourly sums per target, last success and error. */
export function outcomeOps(outcomes: OutcomeRecord[]): ((op: Deno.AtomicOperation) => void)[] {
  const now = new Date();
  const hour = Math.floor(now.getTime() / HOUR) * HOUR;
  const counts = new Map<string, { target: string; outcome: "ok" | "fail"; n: bigint }>();
  const lastOk = new Set<string>();
  const lastError = new Map<string, string>();
  for (const outcome of outcomes) {
    for (const target of outcome.targets) {
      const kind = outcome.ok ? "ok" : "fail";
      const key = `${target}|${kind}`;
      const c = counts.get(key) ?? { target, outcome: kind, n: 0n };
      c.n += 1n;
      counts.set(key, c);
      // Later outcomes overwrite earlier ones, as they would have in time.
      if (outcome.ok) lastOk.add(target);
      else lastError.set(target, outcome.error ?? "failed");
    }
  }
  const ops: ((op: Deno.AtomicOperation) => void)[] = [
    ...[...counts.values()].map((c) => (op: Deno.AtomicOperation) =>
      op.sum(KV.count(c.target, hour, c.outcome), c.n)
    ),
    ...[...lastOk].map((t) => (op: Deno.AtomicOperation) =>
      op.set(KV.lastOk(t), now.toISOString())
    ),
    ...[...lastError].map(([t, message]) => (op: Deno.AtomicOperation) =>
      op.set(KV.lastError(t), { message, at: now.toISOString() })
    ),
  ];
  return ops;
}

/** Last outcome and the last 24 hours' counts for each target; prunes counters past 48 hours. */
export async function readHealth(
  kv: Deno.Kv,
  targets: string[],
): Promise<Map<string, HealthSummary>> {
  const out = new Map<string, HealthSummary>();
  const now = Date.now();
  const stale: Deno.KvKey[] = [];
  await Promise.all(targets.map(async (target) => {
    const [ok, err] = await kv.getMany<[string, unknown]>(
      [KV.lastOk(target), KV.lastError(target)],
      { consistency: "eventual" },
    );
    const lastError = LastErrorSchema.safeParse(err.value);
    let ok24h = 0, fail24h = 0;
    for await (
      const c of kv.list<Deno.KvU64>({ prefix: KV.countPrefix(target) }, {
        consistency: "eventual",
      })
    ) {
      const hour = Number(c.key[2]);
      if (hour < now - 48 * HOUR) stale.push(c.key);
      if (hour < now - 24 * HOUR) continue;
      if (c.key[3] === "ok") ok24h += Number(c.value.value);
      else fail24h += Number(c.value.value);
    }
    out.set(target, {
      lastOkAt: typeof ok.value === "string" ? ok.value : null,
      lastError: lastError.success ? lastError.data.message : null,
      lastErrorAt: lastError.success ? lastError.data.at : null,
      ok24h,
      fail24h,
    });
  }));
  // Sums cannot carry an expiry, so old hourly counters are swept here instead.
  for (let i = 0; i < stale.length; i += 10) {
    const op = kv.atomic();
    for (const key of stale.slice(i, i + 10)) op.delete(key);
    await op.commit();
  }
  return out;
}
