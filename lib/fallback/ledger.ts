/**
 * The ledger of one request's attempts: what each attempt did (for logs and
 * `x-detour-attempts`), the outcomes to record for the status page, the cooldowns a failure
 * starts, which providers are out for the rest of the request, and the first upstream error
 * (the all-failed reply repeats it).
 */
import type { Config } from "../config/schema.ts";
import { type ExactRedactor, redactAll, redactBytes, redactSecrets } from "../http/redact.ts";
import type { Cooldown } from "../store/cooldown_store.ts";
import type { OutcomeRecord } from "../store/health_store.ts";
import { retryAfterMs } from "../http/headers.ts";
import { cooldownMs, type Scope, scopeOf } from "./classify.ts";
import type { Attempt } from "./plan.ts";

/** One attempt as logs and `x-detour-attempts` report it. */
export interface AttemptRecord {
  label: string;
  provider: string;
  /** The upstream HTTP status (or the status an early stream error stands for). */
  status: number | null;
  /**
   * `ok`, `fallback`, `final`, `timeout`, `network`, `stream_error`, `refusal`, `empty`,
   * `client_closed`, or one an adapter names for an error it throws (its `outcome` property,
   * e.g. `auth`).
   */
  outcome: string;
  ms: number;
  /** Short, secret-free description of a failure. */
  error?: string;
}

/** An upstream error answer kept for the all-failed reply. */
export interface HttpFailure {
  status: number;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

/** Where cooldowns go (the board; probes pass a no-op). */
export interface CooldownSink {
  set(target: string, cooldown: Cooldown): Promise<void>;
}

/** The cooldown targets an attempt's outcome counts for: the provider, and a stored key. */
function targetsOf(attempt: Attempt): string[] {
  return attempt.credential.kind === "stored"
    ? [attempt.entry.target, attempt.credential.target]
    : [attempt.entry.target];
}

/** One request's attempt records, outcomes and cooldowns. */
export class AttemptLedger {
  readonly records: AttemptRecord[] = [];
  readonly outcomes: OutcomeRecord[] = [];
  /** The first upstream error answer, as the client may see it. */
  firstHttpFailure: HttpFailure | null = null;
  /**
   * The first answer that refused the request before any content (HTTP 200, `stop_reason:
   * "refusal"`), read whole, with the attempt that gave it: the reply when no provider answers.
   */
  refusal: (HttpFailure & { attempt: Attempt }) | null = null;
  #failedProviders = new Set<string>();
  #config: Config;
  #cooldowns: CooldownSink;
  #secrets?: ExactRedactor;

  /** `secrets`: the exact stored secret values, redacted from every error text kept here. */
  constructor(config: Config, cooldowns: CooldownSink, secrets?: ExactRedactor) {
    this.#config = config;
    this.#cooldowns = cooldowns;
    this.#secrets = secrets;
  }

  /** `text` without key-shaped runs or any stored secret value (error text leaving Detour). */
  scrub(text: string): string {
    return redactAll(text, this.#secrets);
  }

  /** True when an earlier attempt already took the attempt's whole provider out. */
  providerFailed(attempt: Attempt): boolean {
    return this.#failedProviders.has(attempt.provider.id);
  }

  /** Records how an attempt started at `started` (performance.now()) ended. */
  record(
    attempt: Attempt,
    started: number,
    status: number | null,
    outcome: string,
    error?: string,
  ): AttemptRecord {
    const r: AttemptRecord = {
      label: attempt.label,
      provider: attempt.provider.id,
      status,
      outcome,
      ms: performance.now() - started,
    };
    if (error) r.error = error;
    this.records.push(r);
    return r;
  }

  /** Notes an answered attempt's outcome (`ok` false counts against its targets' health). */
  outcome(attempt: Attempt, ok: boolean, error?: string): OutcomeRecord {
    const record: OutcomeRecord = error
      ? { targets: targetsOf(attempt), ok, error: this.scrub(error) }
      : { targets: targetsOf(attempt), ok };
    this.outcomes.push(record);
    return record;
  }

  /** A failed attempt: recorded, counted, cooled down; a provider-wide failure skips its keys. */
  fail(
    attempt: Attempt,
    started: number,
    failure: { status: number | null; outcome: string; error: string; scope: Scope },
    retryAfterMs = 0,
  ): void {
    const error = this.scrub(failure.error);
    this.record(attempt, started, failure.status, failure.outcome, error);
    this.outcome(attempt, false, error);
    this.coolDown(attempt, failure.scope, failure.status, retryAfterMs);
    if (failure.scope === "provider") this.#failedProviders.add(attempt.provider.id);
  }

  /**
   * An answer that refused the request before any content: kept (the first one) and its
   * provider left for this request, but nothing cools down and its health does not suffer: the
   * provider works, it declined this one request.
   */
  declined(attempt: Attempt, started: number, answer: HttpFailure): void {
    this.refusal ??= { ...answer, attempt };
    this.record(attempt, started, answer.status, "refusal", "stop_reason refusal, no content");
    this.outcome(attempt, true);
    this.#failedProviders.add(attempt.provider.id);
  }

  /** An upstream answered with a fallback status: kept (the first one), failed, cooled down. */
  refused(
    attempt: Attempt,
    started: number,
    status: number,
    headers: Headers,
    body: Uint8Array<ArrayBuffer>,
  ): void {
    this.firstHttpFailure ??= {
      status,
      headers,
      // A stored credential's refusal may echo it: the client never sees it. A client's own
      // credential's refusal reaches it as sent, but for the exact stored values.
      body: attempt.credential.kind !== "client"
        ? redactBytes(body, (t) => this.scrub(t))
        : this.#secrets
        ? redactBytes(body, (t) => this.#secrets!.redact(t))
        : body,
    };
    const error = describeError(status, body);
    const failure = { status, outcome: "fallback", error, scope: scopeOf(status) };
    this.fail(attempt, started, failure, retryAfterMs(headers));
  }

  /** Cools the attempt's credential or whole provider down, as configured (never awaited). */
  coolDown(attempt: Attempt, scope: Scope, status: number | null, retryAfterMs: number): void {
    const ms = cooldownMs({
      status,
      scope,
      retryAfterMs,
      cooldownSeconds: attempt.provider.cooldownSeconds ?? this.#config.cooldownSeconds,
      authCooldownSeconds: this.#config.authCooldownSeconds,
    });
    if (ms <= 0) return;
    const target = scope === "credential" ? attempt.credential.target : attempt.entry.target;
    const reason = status !== null ? `HTTP ${status}` : "no answer";
    this.#cooldowns.set(target, { until: Date.now() + ms, reason }).catch(() => {});
  }
}

/** Outcomes shown with their status (`stream_error:529`, `refusal:200`): a status alone misleads. */
const TAGGED = new Set(["stream_error", "refusal", "empty"]);

/** The `x-detour-attempts` value: `anthropic 429 12ms, zai#2 200 340ms`. */
export function formatAttempts(records: AttemptRecord[]): string {
  return records.map((r) => {
    const what = r.status !== null && !TAGGED.has(r.outcome)
      ? String(r.status)
      : r.status !== null
      ? `${r.outcome}:${r.status}`
      : r.outcome;
    return `${r.label} ${what} ${Math.round(r.ms)}ms`;
  }).join(", ");
}

/** Detour's own answer headers: who served (or `none`) and every attempt. */
export function withDetourHeaders(
  headers: Headers,
  servedBy: string | null,
  records: AttemptRecord[],
): Headers {
  headers.set("x-detour-provider", servedBy ?? "none");
  headers.set("x-detour-attempts", formatAttempts(records));
  return headers;
}

/** A short description of an upstream error body (Anthropic's `error.message`), never secrets. */
function describeError(status: number, body: Uint8Array): string {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body));
    const msg = parsed?.error?.message ?? parsed?.message;
    if (typeof msg === "string") return `${status}: ${redactSecrets(msg.slice(0, 200))}`;
  } catch { /* not JSON */ }
  return `HTTP ${status}`;
}
