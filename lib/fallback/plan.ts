/** Plans the attempts for one request: chain order, model match, credentials, cooldowns. */
import { type ClientContext, type ClosedReason, credentialGap } from "../auth/client.ts";
import type { Provider } from "../config/schema.ts";
import type { Chain, ChainProvider } from "./chain.ts";
import { targets } from "./targets.ts";
import type { Spill, SpillLookup } from "../usage/ratelimit_board.ts";

/** The credential one attempt sends. */
export type AttemptCredential =
  | { kind: "client"; header: "x-api-key" | "authorization"; value: string; target: string }
  | { kind: "stored"; value: string; target: string }
  /** A stored-key provider configured without keys (e.g. a local server that needs none). */
  | { kind: "none"; target: string };

/** One planned attempt. */
export interface Attempt {
  /** The provider's configuration. */
  provider: Provider;
  /** The provider's chain entry: cooldown target, keys, model mapper. */
  entry: ChainProvider;
  credential: AttemptCredential;
  /** What `x-detour-attempts` and logs call it: `anthropic`, `zai#2`. */
  label: string;
  /** The model name to send upstream. */
  model: string;
  /** When set, this attempt is cooling down and only planned as a last resort. */
  coolingUntil: number | null;
}

/** Why a provider took no part in a request. */
export type SkipReason = ClosedReason | "model";

/** A credential held back because a rate-limit window is past its provider's `spillAt`. */
export interface Spilled extends Spill {
  /** The attempt's label (`anthropic`, `zai#2`). */
  label: string;
  provider: string;
}

/**
 * The attempts in order, and the providers left out with why. `spilled`: credentials held back
 * for spill-over (still planned after the ready ones, as cooling ones are, until their reset).
 */
export interface Plan {
  attempts: Attempt[];
  skipped: { provider: string; reason: SkipReason }[];
  spilled: Spilled[];
}

/** Reads cooldowns; the board implements it, tests pass a map. */
export interface CooldownLookup {
  get(target: string, now?: number): { until: number } | undefined;
}

/** Reads circuit breakers from memory; the board implements it (see circuit_board.ts). */
export interface CircuitLookup {
  /** `probe`: this request carries the one half-open probe of an open circuit. */
  admit(providerId: string, now: number): "healthy" | "degraded" | "open" | "probe";
}

/** Stored keys in round-robin order, so load spreads across a provider's keys. */
function rotatedKeys<T>(rotation: Map<string, number>, providerId: string, keys: T[]): T[] {
  if (keys.length < 2) return keys;
  const start = (rotation.get(providerId) ?? 0) % keys.length;
  rotation.set(providerId, start + 1);
  return [...keys.slice(start), ...keys.slice(0, start)];
}

function credentialsFor(
  chain: Chain,
  p: ChainProvider,
  client: ClientContext,
): AttemptCredential[] | SkipReason {
  const gap = credentialGap(p.provider.passthrough, client);
  if (gap !== null) return gap;
  if (p.provider.passthrough && client.credential) {
    const { header, value, hash } = client.credential;
    return [{ kind: "client", header, value, target: targets.client(p.provider.id, hash) }];
  }
  if (p.keys.length === 0) return [{ kind: "none", target: p.target }];
  return rotatedKeys(chain.keyRotation, p.provider.id, p.keys).map((k) => ({
    kind: "stored",
    value: k.value,
    target: k.target,
  }));
}

/**
 * Builds the attempt list: ready attempts in chain order (healthy circuits and half-open probes
 * first, then degraded circuits), then the cooling ones, soonest to recover first. Providers
 * with an open circuit are left out, unless nothing else could take the request: then they are
 * tried anyway, in chain order, so a request is never answered without trying.
 */
export function planAttempts(
  chain: Chain,
  model: string,
  client: ClientContext,
  cooldowns: CooldownLookup,
  now = Date.now(),
  circuits?: CircuitLookup,
  /** The rate-limit gauges, for providers with `spillAt` (lib/usage/ratelimit_board.ts). */
  gauges?: SpillLookup,
): Plan {
  const ready: Attempt[] = [];
  const spilled: Spilled[] = [];
  const degraded: Attempt[] = [];
  const cooling: Attempt[] = [];
  const open: Attempt[] = [];
  const skipped: Plan["skipped"] = [];
  for (const p of chain.providers) {
    const id = p.provider.id;
    if (!p.provider.enabled) {
      skipped.push({ provider: id, reason: "disabled" });
      continue;
    }
    const upstreamModel = p.mapModel(model);
    if (upstreamModel === null) {
      skipped.push({ provider: id, reason: "model" });
      continue;
    }
    const creds = credentialsFor(chain, p, client);
    if (typeof creds === "string") {
      skipped.push({ provider: id, reason: creds });
      continue;
    }
    const providerUntil = cooldowns.get(p.target, now)?.until ?? 0;
    const circuit = circuits?.admit(id, now) ?? "healthy";
    creds.forEach((credential) => {
      const keyIndex = credential.kind === "stored"
        ? p.keys.findIndex((k) => k.target === credential.target)
        : -1;
      const label = keyIndex >= 0 && p.keys.length > 1 ? p.keys[keyIndex].label : id;
      let until = Math.max(providerUntil, cooldowns.get(credential.target, now)?.until ?? 0);
      const spill = spillOf(p.provider, credential.target, gauges, now);
      if (spill) {
        spilled.push({ ...spill, label, provider: id });
        until = Math.max(until, spill.until);
      }
      const attempt: Attempt = {
        provider: p.provider,
        entry: p,
        credential,
        label,
        model: upstreamModel,
        coolingUntil: null,
      };
      if (circuit === "open") open.push(attempt);
      else if (until > now) cooling.push({ ...attempt, coolingUntil: until });
      else if (circuit === "degraded") degraded.push(attempt);
      else ready.push(attempt);
    });
  }
  cooling.sort((a, b) => a.coolingUntil! - b.coolingUntil!);
  const attempts = [...ready, ...degraded, ...cooling];
  return { attempts: attempts.length > 0 ? attempts : open, skipped, spilled };
}

/** The window holding `target` back, when its provider spills over and one is past the mark. */
function spillOf(
  provider: Provider,
  target: string,
  gauges: SpillLookup | undefined,
  now: number,
): Spill | null {
  if (provider.spillAt === undefined || !gauges) return null;
  return gauges.spill(target, provider.spillAt, now);
}

/**
 * What `x-detour-attempts` and the request log say of a spilled credential, before the
 * attempts: `anthropic spill:5h`, with the share and the reset as its error text.
 */
export function spillNote(s: Spilled): {
  label: string;
  provider: string;
  status: null;
  outcome: string;
  ms: number;
  error: string;
} {
  const pct = Math.round(s.utilization * 1000) / 10;
  return {
    label: s.label,
    provider: s.provider,
    status: null,
    outcome: `spill:${s.window}`,
    ms: 0,
    error: `${s.window} window ${pct}% used: skipped until ${new Date(s.until).toISOString()}`,
  };
}

/**
 * The attempts one request may make: at most `max`, and only the soonest to recover
 * when every one is cooling, so many keys all answering 429 do not turn one client request into
 * hundreds of upstream calls, nor each following one into as many again. Applied to a plan
 * before it runs; the plan itself stays whole (the model list reads every provider from it).
 */
export function boundAttempts(attempts: Attempt[], max: number | undefined): Attempt[] {
  const limit = Math.max(1, max ?? 6);
  if (attempts.length > 0 && attempts.every((a) => a.coolingUntil !== null)) {
    return attempts.slice(0, 1);
  }
  return attempts.length > limit ? attempts.slice(0, limit) : attempts;
}
