/**
 * The flow every proxy route shares once it has read its request: plan the chain, prefer a
 * failed-over session's provider, run the attempts, and queue the logging and accounting for
 * when the answer has gone out. Routes add only their own wire format around it.
 */
import type { Deps } from "../deps.ts";
import { adapterFor } from "../providers/registry.ts";
import { preferSessionProvider } from "../repair/affinity.ts";
import { runAttempts } from "./engine.ts";
import type { InboundRequest } from "./inbound.ts";

import { observeWhenDone } from "../observe/index.ts";
import { boundAttempts, type Plan, planAttempts } from "./plan.ts";

/** No provider can take the request: the plan says why each was left out. */
export interface Unplanned {
  unplanned: Plan;
}

/**
 * Serves `req` through the chain: the client response, or `Unplanned` when no provider can
 * take it (each route words that error in its own format). `started` is when the route began.
 */
export async function serveThroughChain(
  deps: Deps,
  req: InboundRequest,
  endpoint: string,
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
  );
  if (plan.attempts.length === 0) return { unplanned: plan };
  const attempts = boundAttempts( // issue 12: bounded work per request
    preferSessionProvider(req, plan.attempts, chain, deps.cooldowns),
    chain.config.maxAttempts,
  );
  const result = await runAttempts(req, attempts, chain.config, {
    adapterFor,
    cooldowns: deps.cooldowns,
    fetch: deps.fetch,
    secrets: deps.live.secrets, // issue 12
    hopId: deps.hopId, // issue 12
  });
  observeWhenDone(deps, req, endpoint, attempts, result, started);
  return result.response;
}
