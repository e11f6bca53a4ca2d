/**
 * The optional webhook (`webhook.url` in the config): told about failover bursts and circuit
 * openings with a JSON POST. Fire-and-forget after the response, with a short timeout; at most
 * one notification per kind and provider per `minIntervalSeconds` (per instance). Logs name the
 * URL's origin only: paths and query strings of webhook URLs often hold tokens.
 */
import type { Config } from "../config/schema.ts";
import type { AttemptRecord } from "../fallback/engine.ts";
import type { Logger } from "../log.ts";
import type { Crossing } from "../usage/ratelimit_board.ts";

export type WebhookKind = "failover_burst" | "circuit_open" | "limit_threshold";

/** What the receiver gets. `text` makes Slack- and Discord-style incoming webhooks readable. */
export interface WebhookPayload {
  type: `detour.${WebhookKind}`;
  provider: string;
  at: string;
  text: string;
  details: Record<string, unknown>;
}

/** The origin of a URL, for logs (never its path or query). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

export class Webhook {
  #config: () => Config;
  #logger: Logger;
  #fetch: typeof fetch;
  #now: () => number;
  /** Fallback times per provider within the burst window. */
  #fallbacks = new Map<string, number[]>();
  /** Last notification per `kind:provider`. */
  #sent = new Map<string, number>();
  #inflight = new Set<Promise<void>>();

  constructor(opts: {
    config: () => Config;
    logger: Logger;
    fetch?: typeof fetch;
    now?: () => number;
  }) {
    this.#config = opts.config;
    this.#logger = opts.logger;
    this.#fetch = opts.fetch ?? fetch;
    this.#now = opts.now ?? Date.now;
  }

  /** Counts one request's failed attempts; a provider reaching the burst threshold notifies. */
  observe(records: AttemptRecord[], now = this.#now()): void {
    const hook = this.#config().webhook;
    if (!hook) return;
    const windowMs = hook.burstWindowSeconds * 1000;
    for (const r of records) {
      if (r.outcome === "ok" || r.outcome === "final" || r.outcome === "client_closed") continue;
      const times = (this.#fallbacks.get(r.provider) ?? []).filter((t) => t > now - windowMs);
      times.push(now);
      this.#fallbacks.set(r.provider, times);
      if (times.length >= hook.burstFallbacks) {
        this.notify(
          "failover_burst",
          r.provider,
          {
            fallbacks: times.length,
            windowSeconds: hook.burstWindowSeconds,
            lastError: r.error ?? r.outcome,
          },
          `Detour: ${times.length} fallbacks away from ${r.provider} within ${hook.burstWindowSeconds} s (last: ${
            r.error ?? r.outcome
          })`,
          now,
        );
      }
    }
  }

  /** A circuit opened. */
  circuitOpened(provider: string, failures: number, now = this.#now()): void {
    this.notify(
      "circuit_open",
      provider,
      { failures },
      `Detour: the circuit of ${provider} opened after ${failures} consecutive failures`,
      now,
    );
  }

  /**
   * A credential's 5-hour or weekly window reached `webhook.limitThreshold` (at most once per
   * credential and window per `minIntervalSeconds`; the label, never the credential).
   */
  limitReached(c: Crossing, now = this.#now()): void {
    const pct = Math.round(c.utilization * 1000) / 10;
    const resets = c.resetsAt === null ? "" : `, resets ${new Date(c.resetsAt).toISOString()}`;
    this.notify(
      "limit_threshold",
      c.provider,
      {
        credential: c.label,
        window: c.window,
        utilization: c.utilization,
        resetsAt: c.resetsAt === null ? null : new Date(c.resetsAt).toISOString(),
      },
      `Detour: ${c.provider} (${c.label}) has used ${pct}% of its ${c.window} window${resets}`,
      now,
      `${c.target}:${c.window}`,
    );
  }

  /**
   * Sends one notification unless the same kind for the same provider (or `about`, a finer
   * subject) went out recently.
   */
  notify(
    kind: WebhookKind,
    provider: string,
    details: Record<string, unknown>,
    text: string,
    now = this.#now(),
    about = provider,
  ): boolean {
    const hook = this.#config().webhook;
    if (!hook) return false;
    const key = `${kind}:${about}`;
    const last = this.#sent.get(key);
    if (last !== undefined && now - last < hook.minIntervalSeconds * 1000) return false;
    this.#sent.set(key, now);
    const payload: WebhookPayload = {
      type: `detour.${kind}`,
      provider,
      at: new Date(now).toISOString(),
      text,
      details,
    };
    const origin = originOf(hook.url);
    const send = this.#fetch(hook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "detour-webhook" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(hook.timeoutMs),
      redirect: "manual",
    }).then(async (res) => {
      await res.body?.cancel().catch(() => {});
      const log = res.ok ? this.#logger.info : this.#logger.warn;
      log("webhook sent", { kind, provider, origin, status: res.status });
    }).catch((err) => {
      const why = err instanceof DOMException && err.name === "TimeoutError"
        ? `no answer within ${hook.timeoutMs} ms`
        // A fetch error message can quote the URL: name only the error's kind.
        : err instanceof Error
        ? err.name
        : "error";
      this.#logger.warn("webhook failed", { kind, provider, origin, err: why });
    }).finally(() => this.#inflight.delete(send));
    this.#inflight.add(send);
    return true;
  }

  /** Waits for notifications in flight (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inflight]);
  }
}
