/**
 * Attempt interceptors: one provider attempt is one call through a list of interceptors, in the
 * manner of Hono's `compose` and undici's dispatcher interceptors. Each gets the attempt's call
 * and `next`; a retry is calling `next()` again. The innermost step builds the upstream request
 * and sends it with the app's `fetch` (see lib/providers/adapters.ts for the list).
 */
import type { InboundRequest } from "./inbound.ts";
import type { AnswerFacts } from "../translate/openai_fields.ts";
import type { Attempt } from "./plan.ts";

/**
 * One attempt's call: what the interceptors and the adapter read, and what they may change
 * between tries. It lives as long as the attempt, so per-attempt state belongs here (or in an
 * interceptor's locals), never on a shared object.
 */
export interface AttemptCall {
  /** The request as this try sends it (the repair step puts its repaired copy here). */
  req: InboundRequest;
  readonly attempt: Attempt;
  /** Aborts on the attempt's timeout or when the client leaves. */
  readonly signal: AbortSignal;
  /** Set by a cloud's beta retry: the next try sends no `anthropic-beta` values. */
  withoutBetas: boolean;
  /** The access token the last try carried (adapters that obtain one set it), to renew that one. */
  token: string | null;
  /**
   * Told what a translated answer carried (tool calls, reasoning, thought signatures) once it is
   * whole: the conversation record sets it (lib/repair/wrap.ts), translating adapters call it.
   */
  onAnswer?: (facts: AnswerFacts) => void;
}

/** The rest of the list: calling it again sends the attempt once more. */
export type Next = () => Promise<Response>;

/** One step around a provider attempt. */
export type Interceptor = (call: AttemptCall, next: Next) => Promise<Response>;

/** What sends one attempt: the composed interceptors down to the upstream fetch. */
export type Send = (call: AttemptCall) => Promise<Response>;

/** A fresh call for one attempt. */
export function attemptCall(req: InboundRequest, attempt: Attempt, signal: AbortSignal) {
  const call: AttemptCall = { req, attempt, signal, withoutBetas: false, token: null };
  return call;
}

/** Runs `interceptors` outermost first, with `last` as the innermost step. */
export function compose(interceptors: readonly Interceptor[], last: Send): Send {
  if (interceptors.length === 0) return last;
  return (call) => {
    const dispatch = (i: number): Promise<Response> =>
      i === interceptors.length ? last(call) : interceptors[i](call, () => dispatch(i + 1));
    return dispatch(0);
  };
}

/**
 * An interceptor that sends the attempt once more when `decide` says so (it may read a clone of
 * the answer's body, and note on the call what the next try changes); the first answer's body
 * is cancelled first.
 */
export function retryOnce(
  decide: (upstream: Response, call: AttemptCall) => boolean | Promise<boolean>,
): Interceptor {
  return async (call, next) => {
    const upstream = await next();
    if (!(await decide(upstream, call))) return upstream;
    await upstream.body?.cancel().catch(() => {});
    return next();
  };
}
