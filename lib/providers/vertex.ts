/**
 * Claude on Google Vertex AI: `:rawPredict` / `:streamRawPredict` on
 * `projects/{project}/locations/{region}/publishers/anthropic/models/{model}`, the Anthropic body
 * without `model` and with `anthropic_version: "vertex-2023-10-16"`, a service account's access
 * token as Bearer. Vertex answers in Anthropic's own format (SSE included); its Google-style
 * errors are mapped. count_tokens goes to `models/count-tokens:rawPredict`.
 *
 * The request matches what `@anthropic-ai/vertex-sdk` sends for the same input (path, body
 * bytes, content and beta headers), except that the version is Vertex's own rather than the
 * client's `anthropic-version` header.
 */
import { objectSlot } from "../object_slot.ts";
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import { abortable } from "./abortable.ts";
import { allowedBetas, betasOf, rejectsBeta } from "./cloud_betas.ts";
import { vertexErrorResponse } from "./cloud_errors.ts";
import { googleAccessToken, invalidateGoogleToken, serviceAccountOf } from "./google_auth.ts";
import { encodePathSegment } from "./bedrock.ts";
import { estimatedCountResponse } from "./token_estimate.ts";
import type { ProviderAdapter } from "./types.ts";

/** The Messages API version rawPredict takes in the body. */
export const VERTEX_VERSION = "vertex-2023-10-16";

const encoder = new TextEncoder();

/** The token each attempt was sent with (to drop it on a 401), and attempts retried without betas. */
const usedToken = objectSlot<string>("vertex.usedToken");
const withoutBetas = objectSlot<true>("vertex.withoutBetas");
const retriedAuth = objectSlot<true>("vertex.retriedAuth");

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

/** The Vertex adapter. */
export const vertexAdapter: ProviderAdapter = {
  async prepare(req: InboundRequest, attempt: Attempt, signal: AbortSignal): Promise<Request> {
    const provider = attempt.provider.provider;
    const sa = serviceAccountOf(provider.serviceAccountJson ?? "");
    const token = await abortable(googleAccessToken(sa), signal);
    usedToken.set(attempt, token);
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
    const betas = withoutBetas.has(attempt) ? [] : allowedBetas(provider, betasOf(req.headers));
    if (betas.length > 0) headers.set("anthropic-beta", betas.join(","));
    return new Request(url, {
      method: "POST",
      headers,
      body: encoder.encode(JSON.stringify(payload)),
      signal,
    });
  },

  async toAnthropic(upstream: Response, req: InboundRequest): Promise<Response> {
    if (
      req.endpoint === "count_tokens" && !upstream.ok && [400, 404, 501].includes(upstream.status)
    ) {
      // Regions and models without count-tokens: count locally instead.
      await upstream.body?.cancel();
      return estimatedCountResponse(req.json);
    }
    if (!upstream.ok) return vertexErrorResponse(upstream);
    return upstream;
  },

  async retryOnce(upstream: Response, req: InboundRequest, attempt: Attempt): Promise<boolean> {
    if (upstream.status === 401 && !retriedAuth.has(attempt)) {
      // A revoked or expired token: forget it so the retry exchanges a fresh one.
      const token = usedToken.get(attempt);
      const provider = attempt.provider.provider;
      if (token) invalidateGoogleToken(serviceAccountOf(provider.serviceAccountJson ?? ""), token);
      retriedAuth.set(attempt, true);
      return true;
    }
    if (withoutBetas.has(attempt) || betasOf(req.headers).length === 0) return false;
    if (!(await rejectsBeta(upstream))) return false;
    withoutBetas.set(attempt, true);
    return true;
  },
};
