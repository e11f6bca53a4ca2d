/**
 * In-memory Prometheus metrics of this instance (each instance reports its own; sum them in
 * Prometheus). Updated after each response went out; rendered on scrape without touching KV.
 */

const CIRCUIT_STATES = ["closed", "degraded", "open", "half_open"] as const;
const BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000];

/** Label values escaped as the text format requires. */
const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

class Family {
  values = new Map<string, { labels: Record<string, string>; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly type: "counter" | "gauge") {}
  add(l: Record<string, string>, n = 1) {
    const k = JSON.stringify(l);
    const v = this.values.get(k) ?? { labels: l, value: 0 };
    v.value += n;
    this.values.set(k, v);
  }
  render(out: string[]) {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    for (const v of this.values.values()) out.push(`${this.name}${labels(v.labels)} ${v.value}`);
  }
}

class Histogram {
  series = new Map<
    string,
    { labels: Record<string, string>; counts: number[]; sum: number; n: number }
  >();
  constructor(readonly name: string, readonly help: string) {}
  observe(l: Record<string, string>, ms: number) {
    const k = JSON.stringify(l);
    const s = this.series.get(k) ??
      { labels: l, counts: BUCKETS_MS.map(() => 0), sum: 0, n: 0 };
    BUCKETS_MS.forEach((b, i) => {
      if (ms <= b) s.counts[i]++;
    });
    s.sum += ms / 1000;
    s.n++;
    this.series.set(k, s);
  }
  render(out: string[]) {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const s of this.series.values()) {
      BUCKETS_MS.forEach((b, i) =>
        out.push(
          `${this.name}_bucket${labels({ ...s.labels, le: String(b / 1000) })} ${s.counts[i]}`,
        )
      );
      out.push(`${this.name}_bucket${labels({ ...s.labels, le: "+Inf" })} ${s.n}`);
      out.push(`${this.name}_sum${labels(s.labels)} ${s.sum}`);
      out.push(`${this.name}_count${labels(s.labels)} ${s.n}`);
    }
  }
}

/** One credential's window as /metrics reports it (a label, never the credential). */
export interface GaugeLine {
  provider: string;
  credential: string;
  window: string;
  utilization: number;
  /** Epoch ms, when known. */
  resetsAt: number | null;
}

/** The rate-limit gauges: utilization and reset time per provider, credential and window. */
function renderGauges(lines: GaugeLine[], out: string[]): void {
  const used = new Family(
    "detour_ratelimit_utilization",
    "Share of a rate-limit window used (5h, 7d, or an API key's per-minute ones), per credential, as its latest answer said.",
    "gauge",
  );
  const reset = new Family(
    "detour_ratelimit_reset_timestamp_seconds",
    "When that window resets (Unix seconds).",
    "gauge",
  );
  for (const g of lines) {
    const l = { provider: g.provider, credential: g.credential, window: g.window };
    used.add(l, g.utilization);
    if (g.resetsAt !== null) reset.add(l, Math.round(g.resetsAt / 1000));
  }
  used.render(out);
  reset.render(out);
}

/** What one finished request contributes. */
export interface RequestObservation {
  endpoint: string;
  status: number;
  servedBy: string | null;
  model: string;
  attempts: { provider: string; outcome: string }[];
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  ttfbMs: number;
  ms: number;
}

export class Metrics {
  readonly started = Date.now();
  #requests = new Family(
    "detour_requests_total",
    "Requests answered, by endpoint, status class and serving provider.",
    "counter",
  );
  #attempts = new Family(
    "detour_attempts_total",
    "Upstream attempts, by provider (or key label) and outcome.",
    "counter",
  );
  #fallbacks = new Family(
    "detour_fallbacks_total",
    "Requests that needed more than one attempt, by serving provider.",
    "counter",
  );
  #tokens = new Family(
    "detour_tokens_total",
    "Tokens reported by upstream answers, by provider, model and kind.",
    "counter",
  );
  #spills = new Family(
    "detour_spills_total",
    "Requests that passed a credential over because a rate-limit window was past its spillAt.",
    "counter",
  );
  #latency = new Histogram(
    "detour_request_duration_seconds",
    "Time until the whole answer was sent, by serving provider.",
  );
  #ttfb = new Histogram(
    "detour_time_to_first_byte_seconds",
    "Time until the answer's headers were ready, by serving provider.",
  );

  /** Counts one finished request. */
  observe(o: RequestObservation): void {
    const provider = o.servedBy ?? "none";
    this.#requests.add({ endpoint: o.endpoint, code: `${Math.floor(o.status / 100)}xx`, provider });
    // Spill-over notes (`spill:5h`) name credentials held back, not upstream attempts.
    const tried = o.attempts.filter((a) => !a.outcome.startsWith("spill:"));
    for (const a of o.attempts) {
      if (a.outcome.startsWith("spill:")) {
        this.#spills.add({ provider: a.provider, window: a.outcome.slice(6) });
      }
    }
    for (const a of tried) this.#attempts.add({ provider: a.provider, outcome: a.outcome });
    if (tried.length > 1) this.#fallbacks.add({ provider });
    if (o.tokens) {
      const t = o.tokens;
      for (
        const [kind, n] of [["input", t.input], ["output", t.output], ["cache_read", t.cacheRead], [
          "cache_write",
          t.cacheWrite,
        ]] as const
      ) {
        if (n > 0) this.#tokens.add({ provider, model: o.model, kind }, n);
      }
    }
    this.#latency.observe({ provider }, o.ms);
    this.#ttfb.observe({ provider }, o.ttfbMs);
  }

  /** The Prometheus text exposition; `state` adds the current cooldown and quota gauges. */
  render(state: {
    providers: {
      id: string;
      cooling: boolean;
      quotaUsedRatio: number | null;
      quotaExhausted: boolean;
      /** The circuit breaker's state and consecutive failures. */
      circuit: { state: string; failures: number };
    }[];
    coolingTargets: number;
    /** The latest rate-limit gauges per credential (lib/usage/ratelimit_board.ts). */
    gauges?: GaugeLine[];
    /** The batched KV writers' retry queues (lib/store/kv_batch.ts), by writer. */
    kvQueues?: Record<string, { mutations: number; dropped: number }>;
  }): string {
    const out: string[] = [];
    for (const f of [this.#requests, this.#attempts, this.#fallbacks, this.#spills, this.#tokens]) {
      f.render(out);
    }
    this.#latency.render(out);
    this.#ttfb.render(out);
    const cooling = new Family(
      "detour_provider_cooling",
      "1 while the provider is cooling down.",
      "gauge",
    );
    const quota = new Family(
      "detour_quota_used_ratio",
      "Share of the provider's token quota spent in the current period.",
      "gauge",
    );
    const exhausted = new Family(
      "detour_quota_exhausted",
      "1 while the provider is past its quota threshold.",
      "gauge",
    );
    const circuit = new Family(
      "detour_circuit_state",
      "1 for the circuit breaker's current state (closed, degraded, open, half_open), else 0.",
      "gauge",
    );
    const failures = new Family(
      "detour_circuit_failures",
      "Consecutive failures the provider's circuit breaker counts.",
      "gauge",
    );
    for (const p of state.providers) {
      for (const s of CIRCUIT_STATES) {
        circuit.add({ provider: p.id, state: s }, p.circuit.state === s ? 1 : 0);
      }
      failures.add({ provider: p.id }, p.circuit.failures);
      cooling.add({ provider: p.id }, p.cooling ? 1 : 0);
      if (p.quotaUsedRatio !== null) {
        quota.add({ provider: p.id }, p.quotaUsedRatio);
        exhausted.add({ provider: p.id }, p.quotaExhausted ? 1 : 0);
      }
    }
    cooling.render(out);
    circuit.render(out);
    failures.render(out);
    quota.render(out);
    exhausted.render(out);
    const targets = new Family(
      "detour_cooling_targets",
      "Providers, keys and client credentials cooling down now.",
      "gauge",
    );
    targets.add({}, state.coolingTargets);
    targets.render(out);
    renderGauges(state.gauges ?? [], out);
    renderKvQueues(state.kvQueues ?? {}, out);
    const up = new Family("detour_uptime_seconds", "Seconds since this instance started.", "gauge");
    up.add({}, Math.round((Date.now() - this.started) / 1000));
    up.render(out);
    return out.join("\n") + "\n";
  }
}

/** KV mutations waiting to be retried, and those the queue's bound dropped, per writer. */
function renderKvQueues(
  queues: Record<string, { mutations: number; dropped: number }>,
  out: string[],
) {
  const waiting = new Family(
    "detour_kv_queued_mutations",
    "Batched KV writes waiting for KV (retried until written).",
    "gauge",
  );
  const dropped = new Family(
    "detour_kv_dropped_mutations_total",
    "Batched KV writes dropped because the retry queue was full.",
    "counter",
  );
  for (const [writer, q] of Object.entries(queues)) {
    waiting.add({ writer }, q.mutations);
    dropped.add({ writer }, q.dropped);
  }
  waiting.render(out);
  dropped.render(out);
}
