/**
 * Quotas as the planner sees them: a provider (or key) past its budget's threshold reports as
 * cooling until its period resets, through the same lookup as cooldowns, so plan.ts needs no
 * change. Reads never wait on KV: sums are mirrored in memory, re-read in the background at
 * most every `syncMs`, and this instance's own usage counts at once.
 */
import type { Provider } from "../config/schema.ts";
import type { Quota } from "../config/fields/usage.ts";
import type { Chain } from "../fallback/chain.ts";
import { parseTarget } from "../fallback/targets.ts";
import { readQuotaSums } from "../store/usage_store.ts";
import { periodOf } from "./period.ts";

/** One quota target's standing in its current period. */
export interface QuotaState {
  target: string;
  tokens: number;
  used: number;
  percent: number;
  thresholdPercent: number;
  period: Quota["period"];
  periodStart: string;
  resetsAt: string;
  exhausted: boolean;
}

const idOf = (target: string) => {
  const t = parseTarget(target);
  return t?.kind === "provider" || t?.kind === "key" ? t.provider : null;
};

export class QuotaBoard {
  #kv: Deno.Kv;
  #chain: () => Chain;
  #syncMs: number;
  /** The time quotas are measured against; tests set it to roll periods over. */
  clock: () => number;
  #synced = new Map<string, number>();
  #pending = new Map<string, number>();
  #lastSync = 0;
  #syncing: Promise<void> | null = null;

  constructor(
    kv: Deno.Kv,
    chain: () => Chain,
    opts: { syncMs?: number; clock?: () => number } = {},
  ) {
    this.#kv = kv;
    this.#chain = chain;
    this.#syncMs = opts.syncMs ?? 2000;
    this.clock = opts.clock ?? Date.now;
  }

  /** The quota that applies to `target` (a provider or a key target), if any. */
  #quotaOf(target: string): Quota | null {
    const id = idOf(target);
    if (id === null) return null;
    const p: Provider | undefined = this.#chain().providers.find((c) => c.provider.id === id)
      ?.provider;
    const q = p?.quota;
    if (!q) return null;
    return q.perKey === (parseTarget(target)?.kind === "key") ? q : null;
  }

  /** The quota state of `target` now, or null when no quota applies. */
  state(target: string): QuotaState | null {
    const q = this.#quotaOf(target);
    if (!q) return null;
    const now = this.clock();
    if (now - this.#lastSync > this.#syncMs) void this.sync();
    const { start, end } = periodOf(q, now);
    const key = `${target}|${q.period}|${start}`;
    const used = (this.#synced.get(key) ?? 0) + (this.#pending.get(key) ?? 0);
    return {
      target,
      tokens: q.tokens,
      used,
      percent: Math.round((used / q.tokens) * 1000) / 10,
      thresholdPercent: q.thresholdPercent,
      period: q.period,
      periodStart: new Date(start).toISOString(),
      resetsAt: new Date(end).toISOString(),
      exhausted: used >= q.tokens * q.thresholdPercent / 100,
    };
  }

  /**
   * Cooldown-shaped view: an exhausted target is "cooling" until its period resets (expressed
   * in the caller's time, so a test clock and the planner's clock can differ).
   */
  get(target: string, now = Date.now()): { until: number; reason: string } | undefined {
    const s = this.state(target);
    if (!s?.exhausted) return undefined;
    return { until: now + (Date.parse(s.resetsAt) - this.clock()), reason: "quota" };
  }

  /**
   * Counts `tokens` against the targets' current periods; returns the KV sums to write (the
   * caller batches them).
   */
  add(
    targets: string[],
    tokens: number,
  ): { target: string; period: string; start: number; tokens: number }[] {
    if (tokens <= 0) return [];
    const out = [];
    for (const target of targets) {
      const q = this.#quotaOf(target);
      if (!q) continue;
      const { start } = periodOf(q, this.clock());
      const key = `${target}|${q.period}|${start}`;
      this.#pending.set(key, (this.#pending.get(key) ?? 0) + tokens);
      out.push({ target, period: q.period, start, tokens });
    }
    return out;
  }

  /** After a batch reached KV: its tokens move from pending to the mirrored sums. */
  written(sums: { target: string; period: string; start: number; tokens: number }[]): void {
    for (const s of sums) {
      const key = `${s.target}|${s.period}|${s.start}`;
      this.#pending.set(key, Math.max(0, (this.#pending.get(key) ?? 0) - s.tokens));
      this.#synced.set(key, (this.#synced.get(key) ?? 0) + s.tokens);
    }
  }

  /** Re-reads the current periods' sums of every quota target (single-flight). */
  sync(): Promise<void> {
    if (this.#syncing) return this.#syncing;
    this.#lastSync = this.clock();
    const now = this.clock();
    const keys = this.#chain().providers.flatMap((c) => {
      const q = c.provider.quota;
      if (!q) return [];
      const { start } = periodOf(q, now);
      const targets = q.perKey ? c.keys.map((k) => k.target) : [c.target];
      return targets.map((target) => ({ target, period: q.period, start }));
    });
    this.#syncing = readQuotaSums(this.#kv, keys).then((fresh) => {
      for (const [key, used] of fresh) {
        // A sum written by this instance after the read started must not go backwards.
        this.#synced.set(key, Math.max(used, 0));
      }
    }).catch(() => {
      // KV unreachable: keep the mirror.
    }).finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }
}
