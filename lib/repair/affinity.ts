/**
 * Session affinity (config `sessionAffinitySeconds`, off at 0): a session that failed over to
 * another provider stays there, so its prompt cache and thinking signatures stay valid, until
 * the primary has been healthy for that many seconds. "Healthy" means neither cooling down nor
 * seen failing (a `fallbackOn` status) within the window.
 */
import type { Chain } from "../fallback/chain.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import { type ConversationBook, sessionIdOf } from "./conversation.ts";

/** Reads cooldowns (the board, or a map in tests). */
interface CooldownLookup {
  get(target: string, now?: number): { until: number } | undefined;
}

/** The attempts with the session's sticky provider moved first, when affinity applies. */
export function preferSessionProvider(
  conversations: ConversationBook,
  req: InboundRequest,
  attempts: Attempt[],
  chain: Chain,
  cooldowns: CooldownLookup,
  now = Date.now(),
): Attempt[] {
  const seconds = chain.config.sessionAffinitySeconds;
  if (!seconds || attempts.length < 2) return attempts;
  const sid = sessionIdOf(req.headers, req.json);
  if (!sid) return attempts;
  const sticky = conversations.stickyProvider(sid);
  if (!sticky) return attempts;
  const ids = new Set(attempts.map((a) => a.provider.id));
  const primary = chain.providers.find((p) => ids.has(p.provider.id));
  if (!primary || primary.provider.id === sticky || !ids.has(sticky)) return attempts;
  if (cooldowns.get(primary.target, now)) conversations.markUnhealthy(primary.provider.id, now);
  if (now - conversations.unhealthyAt(primary.provider.id) >= seconds * 1000) {
    conversations.forgetSticky(sid);
    return attempts;
  }
  const first = attempts.filter((a) => a.provider.id === sticky);
  return [...first, ...attempts.filter((a) => a.provider.id !== sticky)];
}
