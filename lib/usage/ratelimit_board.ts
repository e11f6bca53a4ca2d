/**
 * The latest rate-limit gauges per credential (a cooldown target: lib/fallback/targets.ts), as
 * the hot path consults them: reads never wait on KV. Each answer's gauges go to memory at once
 * and to KV in one batch about once a second (never one write per request); the mirror re-reads
 * KV in the background at most every `syncMs`, so what another instance read arrives within
 * about two seconds. The planner asks `spill` whether a credential is past its provider's
 * `spillAt`.
 */
import { FlushTimer } from "../flush_timer.ts";
import { type GaugeRecord, listGaugeRecords, putGaugeRecords } from "../store/ratelimit_store.ts";
import {
  type Gauges,
  mayCarryGauges,
  readGauges,
  SUBSCRIPTION_WINDOWS,
  type WindowName,
  windowOver,
} from "./ratelimit_headers.ts";

/** A subscription window that reached the notify threshold on an answer read here. */
export interface Crossing {
  target: string;
  provider: string;
  label: string;
  window: WindowName;
  utilization: number;
  resetsAt: number | null;
}

/** Why the planner holds a credential back: the window past the threshold, until it resets. */
export interface Spill {
  window: WindowName;
  utilization: number;
  until: number;
}

/** What the planner reads (the board implements it; tests pass a stub). */
export interface SpillLookup {
  /** The window keeping `target` past `threshold`, with `until` in the caller's time `now`. */
  spill(target: string, threshold: number, now: number): Spill | null;
}

/** What the attempt pipeline feeds (lib/providers/gauge_tap.ts). */
export interface GaugeSink {
  observe(target: string, provider: string, label: string, headers: Headers): void;
}

/** A window's utilization as of `now`: nothing once its reset has passed. */
function liveUtilization(g: Gauges | undefined, name: WindowName, now: number): number {
  const w = g?.windows[name];
  if (!w || (w.resetsAt !== null && w.resetsAt <= now)) return 0;
  return w.utilization;
}

/** An answer's headers not read yet: the latest per credential, with when it came. */
interface Unread {
  provider: string;
  label: string;
  headers: Headers;
  at: number;
}

export class RateLimitBoard implements SpillLookup, GaugeSink {
  #kv: Deno.Kv;
  #syncMs: number;
  #entries = new Map<string, GaugeRecord>();
  /**
   * Reading an answer's gauges (a dozen header reads, four windows) was ~18 µs of every Anthropic
   * answer in `deno task bench:cpu`, on the way to its first byte; most are never looked at before
   * the next answer replaces them. So each credential's latest headers wait here and are read
   * when someone asks: the planner's spill check, the page, the flush once a second.
   */
  #unread = new Map<string, Unread>();
  #dirty = new Set<string>();
  #timer: FlushTimer;
  #flushing: Promise<void> = Promise.resolve();
  #lastSync = 0;
  #syncing: Promise<void> | null = null;
  #onError: (err: unknown) => void;
  /** The time gauges are read and windows judged against; tests set it to pass a reset. */
  clock: () => number;
  /** The webhook's threshold (0..1), read per answer; undefined: nobody is told. */
  notifyAt: () => number | undefined = () => undefined;
  /** Told when a 5-hour or weekly window reaches `notifyAt()` on an answer read here. */
  onCross: ((c: Crossing) => void) | null = null;

  constructor(
    kv: Deno.Kv,
    opts: {
      syncMs?: number;
      flushMs?: number;
      clock?: () => number;
      onError?: (err: unknown) => void;
    } = {},
  ) {
    this.#kv = kv;
    this.#syncMs = opts.syncMs ?? 2000;
    this.clock = opts.clock ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
    this.#timer = new FlushTimer(opts.flushMs ?? 1000, () => void this.flush());
  }

  /** Takes one upstream answer's headers; their gauges are read when asked for (see `#unread`). */
  observe(target: string, provider: string, label: string, headers: Headers): void {
    // An answer without gauges (an error, say) must not hide the last one that had them.
    if (!mayCarryGauges(headers)) return;
    this.#unread.set(target, { provider, label, headers, at: this.clock() });
    this.#timer.schedule();
    // A threshold to tell about is judged on every answer, as it comes.
    if (this.notifyAt() !== undefined && this.onCross) this.#read(target);
  }

  /** Reads the waiting headers of `target`, if any, into its gauges. */
  #read(target: string): void {
    const unread = this.#unread.get(target);
    if (!unread) return;
    this.#unread.delete(target);
    const { provider, label, headers, at: now } = unread;
    const gauges = readGauges(headers, now);
    if (!gauges) return;
    const before = this.#entries.get(target)?.gauges;
    // Another instance's later reading, synced while this one waited, stays.
    if (before && before.at > now) return;
    this.#entries.set(target, { provider, label, gauges });
    this.#dirty.add(target);
    const at = this.notifyAt();
    if (at === undefined || !this.onCross) return;
    for (const name of SUBSCRIPTION_WINDOWS) {
      const now_ = gauges.windows[name];
      if (!now_ || now_.utilization < at || liveUtilization(before, name, now) >= at) continue;
      this.onCross({
        target,
        provider,
        label,
        window: name,
        utilization: now_.utilization,
        resetsAt: now_.resetsAt,
      });
    }
  }

  /** Reads every credential's waiting headers. */
  #readAll(): void {
    for (const target of this.#unread.keys()) this.#read(target);
  }

  /** The latest gauges of `target`; kicks off a background refresh when the mirror is stale. */
  get(target: string): GaugeRecord | undefined {
    this.#read(target);
    if (this.clock() - this.#lastSync > this.#syncMs) void this.sync();
    return this.#entries.get(target);
  }

  /** Every credential's latest gauges (admin API, dashboard, metrics). */
  all(): Map<string, GaugeRecord> {
    this.#readAll();
    if (this.clock() - this.#lastSync > this.#syncMs) void this.sync();
    return new Map(this.#entries);
  }

  /** See SpillLookup: `until` is moved into the caller's time, so a test clock may differ. */
  spill(target: string, threshold: number, now: number): Spill | null {
    const record = this.get(target);
    if (!record) return null;
    const clockNow = this.clock();
    const over = windowOver(record.gauges, threshold, clockNow);
    return over ? { ...over, until: now + (over.until - clockNow) } : null;
  }

  /** Writes the gauges changed since the last flush (also called on shutdown). */
  flush(): Promise<void> {
    this.#timer.cancel();
    this.#readAll();
    if (this.#dirty.size === 0) return this.#flushing;
    const batch: [string, GaugeRecord][] = [];
    for (const t of this.#dirty) {
      const r = this.#entries.get(t);
      if (r) batch.push([t, r]);
    }
    this.#dirty.clear();
    const now = this.clock();
    this.#flushing = this.#flushing.then(() => putGaugeRecords(this.#kv, batch, now)).catch(
      this.#onError,
    );
    return this.#flushing;
  }

  /** Re-reads every record from KV (single-flight); the newer reading of a credential wins. */
  sync(): Promise<void> {
    if (this.#syncing) return this.#syncing;
    this.#lastSync = this.clock();
    const started = this.clock();
    this.#syncing = listGaugeRecords(this.#kv).then((fresh) => {
      for (const [target, r] of fresh) {
        const mine = this.#entries.get(target);
        if (!mine || mine.gauges.at < r.gauges.at) this.#entries.set(target, r);
      }
      // Records KV has let expire go here too (kept: unwritten ones and ones read just now), so
      // the mirror stays as small as the store.
      for (const [target, r] of this.#entries) {
        const recent = r.gauges.at >= started - 5 * this.#syncMs;
        if (!fresh.has(target) && !this.#dirty.has(target) && !recent) this.#entries.delete(target);
      }
    }).catch(() => {
      // KV unreachable: keep serving from the mirror.
    }).finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }
}
