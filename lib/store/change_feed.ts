/**
 * Tells this instance when another one changed the config, the access keys, the cooldowns or
 * the circuits, by watching four small version keys (every writer bumps or rewrites its key in
 * the same atomic op as the change) instead of re-listing those prefixes on a timer.
 *
 * `kv.watch` reaches every instance on Deno Deploy and every client of a self-hosted `denokv`
 * (KV Connect). A local SQLite file shared by two processes is different: Deno's watch only sees
 * writes of its own process there, so such a setup reads the four versionstamps with one
 * `getMany` every `pollMs` (1 s). Elsewhere the same read runs slowly (60 s) as a safety net,
 * in case a watch stream drops without an error.
 */
import { KV } from "./keys.ts";

/** What changed. */
export type ChangeTopic = "config" | "accessKeys" | "cooldowns" | "circuits";

const TOPICS: readonly ChangeTopic[] = ["config", "accessKeys", "cooldowns", "circuits"];

const keyOf = (topic: ChangeTopic): Deno.KvKey =>
  topic === "config"
    ? KV.config()
    : topic === "accessKeys"
    ? KV.accessKeysRevision()
    : topic === "cooldowns"
    ? KV.cooldownsVersion()
    : KV.circuitsVersion();

/**
 * Writes this process made to a counted topic (cooldowns, circuits), so its feed does not re-read
 * what it wrote itself: a fallback that cools a passthrough credential down would otherwise list
 * every cooldown again (measured: the bench's failover p50 went from 1.8 to 4–5 ms extra with
 * hundreds of client cooldowns live).
 */
export class OwnWrites {
  #pending = new Map<ChangeTopic, number>();

  /** Call before committing a write that bumps `topic`'s counter by one. */
  note(topic: ChangeTopic): void {
    this.#pending.set(topic, (this.#pending.get(topic) ?? 0) + 1);
  }

  /** Takes back a noted write whose commit failed (else another instance's change is skipped). */
  failed(topic: ChangeTopic): void {
    const n = (this.#pending.get(topic) ?? 0) - 1;
    if (n > 0) this.#pending.set(topic, n);
    else this.#pending.delete(topic);
  }

  /** How many own writes were noted since the last call, and forgets them. */
  take(topic: ChangeTopic): number {
    const n = this.#pending.get(topic) ?? 0;
    this.#pending.delete(topic);
    return n;
  }
}

/** How long a failed watch waits before it is opened again. */
const REWATCH_MS = 1000;

export class ChangeFeed {
  #kv: Deno.Kv;
  #onChange: (topics: Set<ChangeTopic>) => void;
  #pollMs: number;
  #seen = new Map<ChangeTopic, string | null>();
  /** The counted topics' counter values last seen (cooldowns and circuits are sums). */
  #counts = new Map<ChangeTopic, bigint>();
  #own: OwnWrites | null;
  #stop = new AbortController();
  #timer: ReturnType<typeof setInterval> | null = null;
  #watching: Promise<void> = Promise.resolve();

  constructor(
    kv: Deno.Kv,
    onChange: (topics: Set<ChangeTopic>) => void,
    opts: { pollMs: number; own?: OwnWrites },
  ) {
    this.#kv = kv;
    this.#onChange = onChange;
    this.#pollMs = opts.pollMs;
    this.#own = opts.own ?? null;
  }

  /** The four versions now: read before loading the mirrors, so `start` misses nothing. */
  static versions(kv: Deno.Kv): Promise<Deno.KvEntryMaybe<unknown>[]> {
    return kv.getMany(TOPICS.map(keyOf));
  }

  /**
   * Watches and polls from `baseline` (the versions read before the caller loaded its state;
   * default: now), so a change made while the caller was loading is still reported.
   */
  async start(baseline?: Deno.KvEntryMaybe<unknown>[]): Promise<void> {
    this.#remember(baseline ?? await this.#read());
    this.#watching = this.#watchLoop();
    this.#timer = setInterval(() => void this.poll(), this.#pollMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Reads the four versionstamps now and reports what changed (the poll; tests call it too). */
  async poll(): Promise<void> {
    try {
      this.#deliver(await this.#read());
    } catch {
      // KV unreachable: the next poll or the watch tries again; the mirrors keep serving.
    }
  }

  /** Ends the watch and the poll. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#watching;
  }

  #read(): Promise<Deno.KvEntryMaybe<unknown>[]> {
    return ChangeFeed.versions(this.#kv);
  }

  #remember(entries: Deno.KvEntryMaybe<unknown>[]): Set<ChangeTopic> {
    const changed = new Set<ChangeTopic>();
    entries.forEach((e, i) => {
      const topic = TOPICS[i];
      if (this.#seen.has(topic) && this.#seen.get(topic) !== e.versionstamp) {
        if (!this.#onlyOwn(topic, e.value)) changed.add(topic);
      }
      this.#seen.set(topic, e.versionstamp);
      // A counter not written yet counts 0 (its first own write makes it 1).
      this.#counts.set(topic, e.value instanceof Deno.KvU64 ? e.value.value : 0n);
    });
    return changed;
  }

  /**
   * True when a counter moved by exactly this process's own writes since it was last seen.
   * Another instance's write in between makes the count differ and is re-read; one that lands
   * while an own write is noted but not yet committed is re-read when that write arrives.
   */
  #onlyOwn(topic: ChangeTopic, value: unknown): boolean {
    const mine = this.#own?.take(topic) ?? 0;
    const before = this.#counts.get(topic);
    return mine > 0 && before !== undefined && value instanceof Deno.KvU64 &&
      value.value === before + BigInt(mine);
  }

  #deliver(entries: Deno.KvEntryMaybe<unknown>[]): void {
    if (this.#stop.signal.aborted) return;
    const changed = this.#remember(entries);
    if (changed.size > 0) this.#onChange(changed);
  }

  async #watchLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        const reader = this.#kv.watch(TOPICS.map(keyOf)).getReader();
        const cancel = () => reader.cancel().catch(() => {});
        signal.addEventListener("abort", cancel, { once: true });
        try {
          while (true) {
            const { done, value } = await reader.read();
            if (done) break;
            this.#deliver(value);
          }
        } finally {
          signal.removeEventListener("abort", cancel);
        }
      } catch {
        // A closed KV or a dropped stream: watch again after a pause (the poll still runs).
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, REWATCH_MS);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  }
}
