/**
 * Claude on AWS Bedrock through InvokeModel / InvokeModelWithResponseStream: the Anthropic body
 * without `model`/`stream`, with `anthropic_version: "bedrock-2023-05-31"` and the betas in
 * `anthropic_beta`, signed with SigV4 (aws4fetch: pasted access keys, or the AWS default credential
 * chain with `awsCredentials: "default"`) or sent with a Bedrock API key as Bearer.
 * Streams come back as AWS event-stream frames and leave as Anthropic SSE.
 *
 * The request matches what `@anthropic-ai/bedrock-sdk` sends for the same input (path, body
 * bytes, content headers), except that the version is Bedrock's own rather than the client's
 * `anthropic-version` header (AWS documents `bedrock-2023-05-31`; newer header versions are
 * refused by the InvokeModel models).
 */
import { AwsV4Signer } from "aws4fetch";
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import { type AttemptCall, retryOnce } from "../fallback/interceptors.ts";
import type { AwsDefaultCredentials, AwsKeys } from "./aws_default_credentials.ts";
import { abortable } from "./abortable.ts";
import { bedrockStreamResponse } from "./aws_eventstream.ts";
import { allowedBetas, betasOf, retryWithoutBetas } from "./cloud_betas.ts";
import { bedrockErrorResponse } from "./cloud_errors.ts";
import { bedrockFoundationId } from "./model_ids.ts";
import { estimatedCountResponse } from "./token_estimate.ts";
import type { ProviderAdapter } from "./types.ts";

/** The Messages API version InvokeModel takes in the body. */
export const BEDROCK_VERSION = "bedrock-2023-05-31";

const encoder = new TextEncoder();

/** Percent-encodes a path segment the way the Anthropic SDKs do (`:` and `@` stay). */
export function encodePathSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g, encodeURIComponent);
}

/** The InvokeModel body: the Anthropic request minus `model`/`stream`, plus version and betas. */
export function bedrockInvokeBody(
  json: Record<string, unknown>,
  betas: string[],
): Record<string, unknown> {
  const { model: _model, stream: _stream, ...body } = json;
  if (body.anthropic_version === undefined) body.anthropic_version = BEDROCK_VERSION;
  if (betas.length > 0 && body.anthropic_beta === undefined) body.anthropic_beta = betas;
  return body;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The pasted SigV4 keys of a provider without `awsCredentials`. */
function pastedKeys(provider: Provider): AwsKeys {
  if (!provider.awsAccessKeyId || !provider.awsSecretAccessKey) {
    throw new Error(`bedrock provider "${provider.id}" has no AWS credentials`);
  }
  return {
    accessKeyId: provider.awsAccessKeyId,
    secretAccessKey: provider.awsSecretAccessKey,
    sessionToken: provider.awsSessionToken,
  };
}

/** The SigV4 keys a provider signs with: pasted, or from the default chain. */
export async function sigV4Keys(
  provider: Provider,
  aws: AwsDefaultCredentials,
  forceRefresh = false,
): Promise<AwsKeys> {
  if (provider.awsCredentials === "default") {
    return await aws.credentials(provider.awsProfile, forceRefresh);
  }
  return pastedKeys(provider);
}

/** Signs (SigV4) or authorises (Bearer API key) one request's headers. */
async function authorise(
  call: AttemptCall,
  aws: AwsDefaultCredentials,
  url: string,
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
): Promise<Headers> {
  const { attempt } = call;
  const provider = attempt.provider;
  if (attempt.credential.kind === "stored") {
    headers.set("authorization", `Bearer ${attempt.credential.value}`);
    return headers;
  }
  // Pasted keys need no wait; the chain may (a process to run, an endpoint to ask).
  const keys = provider.awsCredentials === "default"
    ? await abortable(aws.credentials(provider.awsProfile), call.signal)
    : pastedKeys(provider);
  headers.set("x-amz-content-sha256", await sha256Hex(body));
  const signer = new AwsV4Signer({
    method: "POST",
    url,
    headers,
    body,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    sessionToken: keys.sessionToken,
    service: "bedrock",
    region: provider.region ?? "us-east-1",
  });
  return (await signer.sign()).headers;
}

/**
 * Whether to try once more: after an expired-token refusal, with the default chain refreshed
 * first (its cache would hand back the same keys); after a refused beta, without betas.
 */
async function bedrockRetries(
  upstream: Response,
  call: AttemptCall,
  aws: AwsDefaultCredentials,
): Promise<boolean> {
  const provider = call.attempt.provider;
  if (
    upstream.status === 403 && provider.awsCredentials === "default" &&
    (upstream.headers.get("x-amzn-errortype") ?? "").startsWith("ExpiredTokenException")
  ) {
    await abortable(sigV4Keys(provider, aws, true), call.signal);
    return true;
  }
  return await retryWithoutBetas(upstream, call);
}

/** The Bedrock adapter, with the app's default-chain credentials. */
export function bedrockAdapter(aws: AwsDefaultCredentials): ProviderAdapter {
  return {
    prepare: (call) => prepareBedrock(call, aws),
    toAnthropic: bedrockToAnthropic,
    // One retry, with refreshed credentials or without betas (a second refusal falls back).
    interceptors: [retryOnce((upstream, call) => bedrockRetries(upstream, call, aws))],
  };
}

/** The InvokeModel (or CountTokens) request for one try. */
async function prepareBedrock(call: AttemptCall, aws: AwsDefaultCredentials): Promise<Request> {
  const { req, attempt, signal, withoutBetas } = call;
  const provider = attempt.provider;
  const betas = withoutBetas ? [] : allowedBetas(provider, betasOf(req.headers));
  let path: string;
  let payload: unknown;
  if (req.endpoint === "count_tokens") {
    // CountTokens takes foundation-model ids only, and the InvokeModel body as a blob.
    path = `/model/${encodePathSegment(bedrockFoundationId(attempt.model))}/count-tokens`;
    const invoke = bedrockInvokeBody(req.json, betas);
    if (invoke.max_tokens === undefined) invoke.max_tokens = 1;
    payload = {
      input: { invokeModel: { body: base64(encoder.encode(JSON.stringify(invoke))) } },
    };
  } else {
    const op = req.stream ? "invoke-with-response-stream" : "invoke";
    path = `/model/${encodePathSegment(attempt.model)}/${op}`;
    payload = bedrockInvokeBody(req.json, betas);
  }
  const url = `${provider.baseUrl}${path}`;
  const body = encoder.encode(JSON.stringify(payload));
  const headers = new Headers(provider.headers);
  headers.set("accept", "application/json");
  headers.set("content-type", "application/json");
  if (betas.length > 0) headers.set("anthropic-beta", betas.join(","));
  const signed = await authorise(call, aws, url, headers, body);
  return new Request(url, { method: "POST", headers: signed, body, signal });
}

/** Bedrock's answer on the Anthropic wire (frames to SSE, errors mapped, counts estimated). */
async function bedrockToAnthropic(upstream: Response, req: InboundRequest): Promise<Response> {
  if (req.endpoint === "count_tokens") {
    if (upstream.ok) {
      const json = await upstream.json().catch(() => null) as { inputTokens?: unknown } | null;
      if (typeof json?.inputTokens === "number") {
        return Response.json({ input_tokens: json.inputTokens });
      }
      return estimatedCountResponse(req.json);
    }
    // Models, regions or roles without CountTokens: count locally instead.
    if ([400, 403, 404, 501].includes(upstream.status)) {
      await upstream.body?.cancel();
      return estimatedCountResponse(req.json);
    }
    return bedrockErrorResponse(upstream);
  }
  if (!upstream.ok) return bedrockErrorResponse(upstream);
  const type = upstream.headers.get("content-type") ?? "";
  if (type.includes("application/vnd.amazon.eventstream") && upstream.body) {
    return bedrockStreamResponse(upstream);
  }
  return upstream;
}
