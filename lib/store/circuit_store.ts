/** Circuit-breaker state per provider in KV, so every instance shares it (see circuit_board.ts). */
import { KV } from "./keys.ts";

/** `degraded`: tried after healthy providers; `open`: skipped; `half_open`: one probe is out. */
export type CircuitState = "closed" | "degraded" | "open" | "half_open";

/** One provider's breaker. Times are epoch milliseconds. */
export interface Circuit {
  state: CircuitState;
  /** Consecutive failures (a success resets it). */
  failures: number;
  /** When it last opened. */
  openedAt: number | null;
  /** Open: when the next half-open probe may go; half-open: when an unanswered probe lapses. */
  probeAfter: number | null;
  /** Last change, so the newest write wins when instances merge. */
  updatedAt: number;
}

/** Records are dropped after a week without change (e.g. a provider that was deleted). */
const EXPIRE_MS = 7 * 86_400_000;

/** Writes breakers in one atomic op that also bumps the version other instances watch. */
export async function putCircuits(
  kv: Deno.Kv,
  circuits: (readonly [string, Circuit])[],
): Promise<void> {
  if (circuits.length === 0) return;
  const op = kv.atomic();
  for (const [id, c] of circuits) op.set(KV.circuit(id), c, { expireIn: EXPIRE_MS });
  const result = await op.sum(KV.circuitsVersion(), 1n).commit();
  if (!result.ok) throw new Error("writing circuits failed");
}

/** Writes one provider's breaker. */
export function putCircuit(kv: Deno.Kv, providerId: string, c: Circuit): Promise<void> {
  return putCircuits(kv, [[providerId, c]]);
}

/** Every stored breaker, by provider id. */
export async function listCircuits(kv: Deno.Kv): Promise<Map<string, Circuit>> {
  const out = new Map<string, Circuit>();
  for await (const entry of kv.list<Circuit>({ prefix: KV.circuitPrefix() })) {
    out.set(String(entry.key[1]), entry.value);
  }
  return out;
}
