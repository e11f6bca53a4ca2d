/**
 * The flow every proxy route shares once it has read its request: plan the chain, prefer a
 * failed-over session's provider, run the attempts, and queue the logging and accounting for
 * when the answer has gone out. Routes add only their own wire format around it.
 */
import type { Deps } from "../deps.ts";
import { preferSessionProvider } from "../repair/affinity.ts";
import { formatAttempts, runAttempts } from "./engine.ts";
import type { InboundRequest } from "./inbound.ts";
import { observeWhenDone } from "../observe/index.ts";
import { boundAttempts, type Plan, planAttempts, spillNote } from "./plan.ts";

/** No provider can take the request: the plan says why each was left out. */
export interface Unplanned {
  unplanned: Plan;
}

/**
 * Serves `req` through the chain: the client response, or `Unplanned` when no provider can
 * take it (each route words that error in its own format). `route` names the route in logs
 * (`messages`, `count_tokens`, `chat_completions`); `started` is when the route began.
 */
export async function serveThroughChain(
  deps: Deps,
  req: InboundRequest,
  route: string,
  started: number,
): Promise<Response | Unplanned> {
  const chain = deps.live.chain;
  const plan = planAttempts(
    chain,
    req.model,
    req.client,
    deps.cooldowns,
    Date.now(),
    deps.circuits,
    deps.ratelimits,
  );
  if (plan.attempts.length === 0) return { unplanned: plan };
  // Bounded work per request: at most `maxAttempts`, only the soonest when all are cooling.
  const attempts = boundAttempts(
    preferSessionProvider(deps.conversations, req, plan.attempts, chain, deps.cooldowns),
    chain.config.maxAttempts,
  );
  const result = await runAttempts(req, attempts, chain.config, {
    send: deps.adapters.send,
    cooldowns: deps.cooldowns,
    secrets: deps.live.secrets,
    shutdown: deps.shutdown,
    anthropicWire: route !== "chat_completions",
  });
  // Credentials held back for spill-over lead `x-detour-attempts` and the request log.
  const notes = plan.spilled.map(spillNote);
  if (notes.length > 0) {
    result.response.headers.set(
      "x-detour-attempts",
      formatAttempts([...notes, ...result.attempts]),
    );
  }
  observeWhenDone(deps, req, route, attempts, result, started, notes);
  return result.response;
}
