/** Builds the dashboard timeline's events from cooldowns and circuit transitions. */
import type { Chain } from "../fallback/chain.ts";
import type { CircuitTransition } from "../fallback/circuit_board.ts";
import { parseTarget } from "../fallback/targets.ts";
import { logId, type TimelineEvent } from "../store/usage_store.ts";
import type { Cooldown } from "../store/cooldown_store.ts";

/**
 * A cooldown event, named by provider and key label: a key target's hash means nothing to a
 * reader.
 */
export function cooldownEvent(
  chain: Chain,
  target: string,
  cooldown: Cooldown,
  now = Date.now(),
): TimelineEvent {
  const parsed = parseTarget(target);
  const provider = parsed && parsed.kind !== "billing" ? parsed.provider : target;
  const subject = parsed?.kind === "key"
    ? chain.providers.flatMap((p) => p.keys).find((k) => k.target === target)?.label ?? "a key"
    : null;
  return {
    id: logId(now),
    time: new Date(now).toISOString(),
    kind: "cooldown",
    provider,
    subject,
    detail: cooldown.reason,
    until: new Date(cooldown.until).toISOString(),
  };
}

/** A circuit breaker transition as a timeline event. */
export function circuitEvent(t: CircuitTransition, now = Date.now()): TimelineEvent {
  return {
    id: logId(now),
    time: new Date(now).toISOString(),
    kind: "circuit",
    provider: t.provider,
    subject: null,
    detail: t.to,
  };
}
