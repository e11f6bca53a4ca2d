/** The seam between the fallback engine and upstream wire formats. */
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { AttemptCall, Interceptor } from "../fallback/interceptors.ts";
import type { Attempt, AttemptCredential } from "../fallback/plan.ts";

/** One adapter per provider `type`; the engine never looks inside a wire format. */
export interface ProviderAdapter {
  /**
   * Builds the upstream request for one try of an attempt: URL, auth, headers, body
   * (mapped/translated). A Response instead answers the attempt locally, with no upstream call
   * (e.g. a token-count estimate for an upstream that has no such endpoint).
   */
  prepare(call: AttemptCall): Request | Response | Promise<Request | Response>;
  /**
   * Turns the upstream answer into an Anthropic-wire response (status, JSON or SSE) so the
   * engine can classify it; Anthropic-compatible upstreams pass through untouched.
   */
  toAnthropic(
    upstream: Response,
    req: InboundRequest,
    attempt: Attempt,
    /** The attempt's call (a translating adapter tells `call.onAnswer` what the answer held). */
    call?: AttemptCall,
  ): Response | Promise<Response>;
  /**
   * The adapter's own interceptors, around each upstream fetch (innermost last): e.g. renewing
   * an expired OAuth token after a 401, or a cloud's retry without beta flags.
   */
  interceptors?: readonly Interceptor[];
  /** Model ids the upstream lists, for `GET /v1/models`; absent when it has no list. */
  listModels?(
    provider: Provider,
    credential: AttemptCredential,
    headers: Headers,
    signal: AbortSignal,
  ): Promise<string[]>;
  /**
   * The upstream's list with each model's `display_name` and `created_at` where it gives them
   * (Claude Code's model picker shows `display_name`); `GET /v1/models` prefers it to `listModels`.
   */
  listModelEntries?(
    provider: Provider,
    credential: AttemptCredential,
    headers: Headers,
    signal: AbortSignal,
  ): Promise<ListedModel[]>;
}

/** One model an upstream lists. */
export interface ListedModel {
  id: string;
  display_name?: string;
  created_at?: string;
}
