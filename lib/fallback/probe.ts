/** The admin "test" button: one tiny request through one provider, with no cooldown effects. */
import type { Config } from "../config/schema.ts";
import type { ClientContext } from "../auth/client.ts";
import { cachedSha256Hex } from "../crypto.ts";
import type { Chain } from "./chain.ts";
import type { ExactRedactor } from "../http/redact.ts";
import { type EngineResult, runAttempts } from "./engine.ts";
import type { InboundRequest } from "./inbound.ts";
import type { Send } from "./interceptors.ts";
import { type Plan, planAttempts } from "./plan.ts";

/** The result the admin page shows. */
export interface ProbeResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  /** The model the upstream says answered (or the one sent, when it does not say). */
  model: string | null;
  attempts: string;
  error?: string;
}

/** The model a probe asks for: the caller's choice, else the provider's first mapped name. */
export function probeModel(modelMap: Record<string, string>, requested?: string): string {
  if (requested) return requested;
  const exact = Object.keys(modelMap).find((k) => !k.includes("*"));
  return exact ?? "claude-haiku-4-5";
}

/**
 * Sends `max_tokens: 1` to one provider: with the key its plan puts first (stored keys rotate, so
 * repeated tests try them in turn), or `apiKey` for a passthrough provider. `send` is the app's
 * attempt pipeline (lib/providers/adapters.ts).
 */
export async function probeProvider(
  chain: Chain,
  providerId: string,
  opts: { model?: string; apiKey?: string; send: Send; secrets?: ExactRedactor },
): Promise<ProbeResult> {
  const only = chain.providers.filter((p) => p.provider.id === providerId)
    .map((p) => ({ ...p, provider: { ...p.provider, enabled: true } }));
  const provider = only[0].provider;
  const model = probeModel(provider.modelMap, opts.model);
  const client: ClientContext = {
    credential: opts.apiKey
      ? { header: "x-api-key", value: opts.apiKey, hash: await cachedSha256Hex(opts.apiKey) }
      : null,
    authorized: true,
    accessKey: "admin",
    badAccessKey: false,
  };
  const plan = planAttempts({ ...chain, providers: only }, model, client, { get: () => undefined });
  if (plan.attempts.length === 0) return unplannable(plan, model);
  const config: Config = {
    ...chain.config,
    fallbackOn: [],
    nonStreamingTimeoutMs: provider.timeoutMs ?? chain.config.timeoutMs,
  };
  const started = performance.now();
  const result = await runAttempts(probeRequest(model, client), plan.attempts.slice(0, 1), config, {
    send: opts.send,
    cooldowns: { set: () => Promise.resolve() },
    secrets: opts.secrets,
  });
  return probeResult(result, model, Math.round(performance.now() - started));
}

/** Why nothing could be tested. */
function unplannable(plan: Plan, model: string): ProbeResult {
  const reason = plan.skipped[0]?.reason;
  return {
    ok: false,
    status: null,
    latencyMs: 0,
    model: null,
    attempts: "",
    error: reason === "no_credential"
      ? "this provider uses the client's own credential: send apiKey to test it"
      : reason === "model"
      ? `the model map does not take "${model}"`
      : "nothing to test",
  };
}

/** The probe's one tiny request. */
function probeRequest(model: string, client: ClientContext): InboundRequest {
  const json = { model, max_tokens: 1, messages: [{ role: "user", content: "ping" }] };
  return {
    id: crypto.randomUUID(),
    endpoint: "messages",
    search: "",
    headers: new Headers({
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    }),
    raw: new TextEncoder().encode(JSON.stringify(json)),
    json,
    model,
    stream: false,
    client,
    signal: AbortSignal.timeout(120_000),
  };
}

/** What the admin page shows of the probe's answer. */
async function probeResult(
  result: EngineResult,
  model: string,
  latencyMs: number,
): Promise<ProbeResult> {
  const text = await result.response.text();
  const status = result.attempts[0]?.status ?? null;
  const attempts = result.response.headers.get("x-detour-attempts") ?? "";
  let body: { model?: string; error?: { message?: string } } = {};
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  const ok = result.response.ok;
  return {
    ok,
    status,
    latencyMs,
    model: ok ? body.model ?? model : null,
    attempts,
    ...(ok ? {} : {
      error: body.error?.message ?? result.attempts[0]?.error ?? `HTTP ${result.response.status}`,
    }),
  };
}
