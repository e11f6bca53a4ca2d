/** The admin "test" button: one tiny request through one provider, with no cooldown effects. */
import type { Config } from "../config/schema.ts";
import { adapterFor } from "../providers/registry.ts";
import type { ClientContext } from "../auth/client.ts";
import { cachedSha256Hex } from "../crypto.ts";
import type { Chain } from "./chain.ts";
import { type EngineDeps, runAttempts } from "./engine.ts";
import { planAttempts } from "./plan.ts";

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
 * repeated tests try them in turn), or `apiKey` for a passthrough provider.
 */
export async function probeProvider(
  chain: Chain,
  providerId: string,
  opts: {
    model?: string;
    apiKey?: string;
    fetch?: typeof fetch;
    /** issue 12: redaction and loop marking, as for proxied requests. */
    engine?: Pick<EngineDeps, "secrets" | "hopId">;
  },
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
  if (plan.attempts.length === 0) {
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
  const json = { model, max_tokens: 1, messages: [{ role: "user", content: "ping" }] };
  const raw = new TextEncoder().encode(JSON.stringify(json));
  const config: Config = {
    ...chain.config,
    fallbackOn: [],
    nonStreamingTimeoutMs: provider.timeoutMs ?? chain.config.timeoutMs,
  };
  const started = performance.now();
  const result = await runAttempts(
    {
      id: crypto.randomUUID(),
      endpoint: "messages",
      search: "",
      headers: new Headers({
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      }),
      raw,
      json,
      model,
      stream: false,
      client,
      signal: AbortSignal.timeout(120_000),
    },
    plan.attempts.slice(0, 1),
    config,
    {
      adapterFor,
      cooldowns: { set: () => Promise.resolve() },
      fetch: opts.fetch,
      ...opts.engine, // issue 12
    },
  );
  const latencyMs = Math.round(performance.now() - started);
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
