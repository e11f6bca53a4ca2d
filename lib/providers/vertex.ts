/**
 * Claude on Google Vertex AI: `:rawPredict` / `:streamRawPredict` on
 * `projects/{project}/locations/{region}/publishers/anthropic/models/{model}`, the Anthropic body
 * without `model` and with `anthropic_version: "vertex-2023-10-16"`, a service account's (or the
 * Application Default Credentials') access token as Bearer. Vertex answers in Anthropic's own format (SSE included); its Google-style
 * errors are mapped. count_tokens goes to `models/count-tokens:rawPredict`.
 *
 * The request matches what `@anthropic-ai/vertex-sdk` sends for the same input (path, body
 * bytes, content and beta headers), except that the version is Vertex's own rather than the
 * client's `anthropic-version` header.
 */
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import { type AttemptCall, retryOnce } from "../fallback/interceptors.ts";
import { abortable } from "./abortable.ts";
import { allowedBetas, betasOf, retryWithoutBetas } from "./cloud_betas.ts";
import { vertexErrorResponse } from "./cloud_errors.ts";
import { type GoogleTokens, serviceAccountOf } from "./google_auth.ts";
import { encodePathSegment } from "./bedrock.ts";
import { estimatedCountResponse } from "./token_estimate.ts";
import type { ProviderAdapter } from "./types.ts";

/** The Messages API version rawPredict takes in the body. */
export const VERTEX_VERSION = "vertex-2023-10-16";

const encoder = new TextEncoder();

/** The project a provider bills: its own setting, else the service account's. */
export function vertexProject(provider: Provider): string {
  if (provider.projectId) return provider.projectId;
  const sa = serviceAccountOf(provider.serviceAccountJson ?? "");
  if (!sa.project_id) throw new Error(`vertex provider "${provider.id}" has no projectId`);
  return sa.project_id;
}

/** The rawPredict body: the Anthropic request minus `model`, plus the Vertex version. */
export function vertexBody(json: Record<string, unknown>, model: string | null) {
  const { model: _model, ...rest } = json;
  const body: Record<string, unknown> = model === null ? rest : { ...json, model };
  if (body.anthropic_version === undefined) body.anthropic_version = VERTEX_VERSION;
  return body;
}

/** The Vertex adapter, with the app's Google token cache. */
export function vertexAdapter(google: GoogleTokens): ProviderAdapter {
  return {
    prepare: (call) => prepareVertex(call, google),
    toAnthropic: vertexToAnthropic,
    // One retry, as the token renewal or without betas (not both: a second refusal falls back).
    interceptors: [retryOnce((upstream, call) => vertexRetries(upstream, call, google))],
  };
}

/** The rawPredict request for one try. */
async function prepareVertex(call: AttemptCall, google: GoogleTokens): Promise<Request> {
  const { req, attempt, signal } = call;
  const provider = attempt.provider;
  const token = await abortable(google.tokenFor(provider), signal);
  call.token = token;
  const models =
    `${provider.baseUrl}/v1/projects/${encodePathSegment(vertexProject(provider))}/locations/` +
    `${encodePathSegment(provider.region ?? "global")}/publishers/anthropic/models`;
  let url: string;
  let payload: Record<string, unknown>;
  if (req.endpoint === "count_tokens") {
    url = `${models}/count-tokens:rawPredict`;
    payload = vertexBody(req.json, attempt.model);
  } else {
    url = `${models}/${encodePathSegment(attempt.model)}:${
      req.stream ? "streamRawPredict" : "rawPredict"
    }`;
    payload = vertexBody(req.json, null);
  }
  const headers = new Headers(provider.headers);
  headers.set("accept", "application/json");
  headers.set("content-type", "application/json");
  headers.set("authorization", `Bearer ${token}`);
  const betas = call.withoutBetas ? [] : allowedBetas(provider, betasOf(req.headers));
  if (betas.length > 0) headers.set("anthropic-beta", betas.join(","));
  return new Request(url, {
    method: "POST",
    headers,
    body: encoder.encode(JSON.stringify(payload)),
    signal,
  });
}

/** Vertex's answer on the Anthropic wire (errors mapped, missing count-tokens estimated). */
async function vertexToAnthropic(upstream: Response, req: InboundRequest): Promise<Response> {
  if (
    req.endpoint === "count_tokens" && !upstream.ok && [400, 404, 501].includes(upstream.status)
  ) {
    // Regions and models without count-tokens: count locally instead.
    await upstream.body?.cancel();
    return estimatedCountResponse(req.json);
  }
  if (!upstream.ok) return vertexErrorResponse(upstream);
  return upstream;
}

/** Whether to try once more: after a 401 with a fresh token, after a refused beta without betas. */
async function vertexRetries(
  upstream: Response,
  call: AttemptCall,
  google: GoogleTokens,
): Promise<boolean> {
  if (upstream.status === 401) {
    // A revoked or expired token: forget it so the retry exchanges a fresh one.
    if (call.token) await google.invalidateFor(call.attempt.provider, call.token);
    return true;
  }
  return await retryWithoutBetas(upstream, call);
}
