/** The seam between the fallback engine and upstream wire formats. */
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt, AttemptCredential } from "../fallback/plan.ts";

/** One adapter per provider `type`; the engine never looks inside a wire format. */
export interface ProviderAdapter {
  /**
   * Builds the upstream request for one attempt: URL, auth, headers, body (mapped/translated).
   * A Response instead answers the attempt locally, with no upstream call (e.g. a token-count
   * estimate for an upstream that has no such endpoint).
   */
  prepare(
    req: InboundRequest,
    attempt: Attempt,
    signal: AbortSignal,
  ): Request | Response | Promise<Request | Response>;
  /**
   * Turns the upstream answer into an Anthropic-wire response (status, JSON or SSE) so the
   * engine can classify it; Anthropic-compatible upstreams pass through untouched.
   */
  toAnthropic(
    upstream: Response,
    req: InboundRequest,
    attempt: Attempt,
  ): Response | Promise<Response>;
  /**
   * Optional: looks at an upstream answer before the engine does (reading at most a clone of
   * its body) and returns true to have the engine cancel it and send this attempt once more —
   * e.g. a 401 after the adapter renewed an expired OAuth token. The engine retries at most once.
   */
  retryOnce?(upstream: Response, req: InboundRequest, attempt: Attempt): Promise<boolean>;
  /** Model ids the upstream lists, for `GET /v1/models`; absent when it has no list. */
  listModels?(
    provider: Provider,
    credential: AttemptCredential,
    headers: Headers,
    signal: AbortSignal,
  ): Promise<string[]>;
}
