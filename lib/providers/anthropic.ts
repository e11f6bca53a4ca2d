/**
 * Anthropic and Anthropic-compatible upstreams (Z.AI, Kimi, DeepSeek, OpenRouter's Anthropic API).
 * The request reaching `prepare` is already fitted to the provider's capability profile
 * (profile_step.ts, in every attempt's pipeline); for the Anthropic API itself that is the
 * client's request, bytes unchanged.
 */
import type { Provider } from "../config/schema.ts";
import { bodyForModel, type InboundRequest } from "../fallback/inbound.ts";
import type { AttemptCredential } from "../fallback/plan.ts";
import { appendToList, forwardableRequestHeaders } from "../http/headers.ts";
import type { ListedModel, ProviderAdapter } from "./types.ts";

/** The beta flag Anthropic requires with a Claude subscription's OAuth access token. */
export const OAUTH_BETA = "oauth-2025-04-20";
const DEFAULT_VERSION = "2023-06-01";

/** OAuth access tokens (`claude setup-token`, Claude Code's login) go as Bearer with the beta. */
export function isOAuthToken(value: string): boolean {
  return value.startsWith("sk-ant-oat");
}

/** Sets the auth header(s) for one credential on an outgoing request. */
export function applyCredential(
  headers: Headers,
  provider: Provider,
  credential: AttemptCredential,
): void {
  if (credential.kind === "none") return;
  if (isOAuthToken(credential.value)) {
    headers.set("authorization", `Bearer ${credential.value}`);
    appendToList(headers, "anthropic-beta", OAUTH_BETA);
    return;
  }
  // A client's own credential goes back out the way it came in.
  const header = credential.kind === "client" ? credential.header : provider.authHeader;
  if (header === "authorization") headers.set("authorization", `Bearer ${credential.value}`);
  else headers.set(header, credential.value);
}

function upstreamHeaders(
  client: Headers,
  provider: Provider,
  credential: AttemptCredential,
): Headers {
  const headers = forwardableRequestHeaders(client);
  for (const [name, value] of Object.entries(provider.headers)) headers.set(name, value);
  if (!headers.has("anthropic-version")) headers.set("anthropic-version", DEFAULT_VERSION);
  applyCredential(headers, provider, credential);
  return headers;
}

/** The upstream request for one try (the subscription adapter sends it with its own token). */
export function anthropicRequest(
  req: InboundRequest,
  provider: Provider,
  credential: AttemptCredential,
  model: string,
  signal: AbortSignal,
): Request {
  const path = req.endpoint === "count_tokens" ? "/v1/messages/count_tokens" : "/v1/messages";
  const headers = upstreamHeaders(req.headers, provider, credential);
  headers.set("content-type", "application/json");
  return new Request(`${provider.baseUrl}${path}${req.search}`, {
    method: "POST",
    headers,
    body: bodyForModel(req, model),
    signal,
  });
}

/** Model ids from the upstream's `GET /v1/models`. */
export async function anthropicModels(
  doFetch: typeof fetch,
  provider: Provider,
  credential: AttemptCredential,
  clientHeaders: Headers,
  signal: AbortSignal,
): Promise<string[]> {
  const entries = await anthropicModelEntries(doFetch, provider, credential, clientHeaders, signal);
  return entries.map((m) => m.id);
}

/** The upstream's `GET /v1/models` entries: id, and its display name and date where given. */
export async function anthropicModelEntries(
  doFetch: typeof fetch,
  provider: Provider,
  credential: AttemptCredential,
  clientHeaders: Headers,
  signal: AbortSignal,
): Promise<ListedModel[]> {
  const headers = upstreamHeaders(clientHeaders, provider, credential);
  headers.delete("content-type");
  const res = await doFetch(`${provider.baseUrl}/v1/models?limit=1000`, { headers, signal });
  if (!res.ok) {
    await res.body?.cancel();
    return [];
  }
  const body = await res.json().catch(() => null) as { data?: unknown[] } | null;
  const entries: ListedModel[] = [];
  for (const m of body?.data ?? []) {
    const { id, display_name, created_at } = (m ?? {}) as Record<string, unknown>;
    if (typeof id !== "string") continue;
    const entry: ListedModel = { id };
    if (typeof display_name === "string") entry.display_name = display_name;
    if (typeof created_at === "string") entry.created_at = created_at;
    entries.push(entry);
  }
  return entries;
}

/** The Anthropic Messages API, spoken natively; model lists are fetched with `doFetch`. */
export function anthropicAdapter(doFetch: typeof fetch): ProviderAdapter {
  return {
    prepare: ({ req, attempt, signal }) =>
      anthropicRequest(req, attempt.provider, attempt.credential, attempt.model, signal),
    toAnthropic: (upstream) => upstream,
    listModels: (provider, credential, headers, signal) =>
      anthropicModels(doFetch, provider, credential, headers, signal),
    listModelEntries: (provider, credential, headers, signal) =>
      anthropicModelEntries(doFetch, provider, credential, headers, signal),
  };
}
