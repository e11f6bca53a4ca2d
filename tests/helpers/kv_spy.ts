/**
 * A real Deno.Kv seen through a wrapper that counts what Detour asks of it (reads, writes, the
 * keys and mutations involved) and can make its writes fail like a real database in trouble:
 * `locked` (SQLite's "database is locked"), `full` ("database or disk is full"), `hang` (a call
 * that never answers) or `lost_ack` (the write lands, then the call fails, as after a timeout).
 * Used by the KV trouble tests and bench/kv_economy.ts.
 */

/** What was asked of KV since the last reset. */
export interface KvCounts {
  /** get, getMany and list calls. */
  reads: number;
  /** Keys read: one per get, per getMany key, per listed entry. */
  readKeys: number;
  /** set, delete and atomic commits. */
  writes: number;
  /** Keys written or deleted (an atomic commit counts each of its mutations). */
  mutations: number;
  /** Watch streams opened, and batches they delivered. */
  watches: number;
  watchBatches: number;
}

/** How writes fail (null: they work). */
export type KvFault = null | "locked" | "full" | "hang" | "lost_ack";

/** The wrapped store, its counters and its fault switch. */
export interface KvSpy {
  kv: Deno.Kv;
  counts: KvCounts;
  fault: KvFault;
  reset(): void;
}

const zero = (): KvCounts => ({
  reads: 0,
  readKeys: 0,
  writes: 0,
  mutations: 0,
  watches: 0,
  watchBatches: 0,
});

/** Wraps `kv` (closing the wrapper closes `kv`). */
export function spyKv(kv: Deno.Kv): KvSpy {
  const spy: KvSpy = { kv: kv, counts: zero(), fault: null, reset: () => spy.counts = zero() };
  const failing = <T>(write: () => Promise<T>): Promise<T> => {
    switch (spy.fault) {
      case "locked":
        return Promise.reject(new Error("database is locked"));
      case "full":
        return Promise.reject(new Error("database or disk is full"));
      case "hang":
        return new Promise<T>(() => {});
      case "lost_ack":
        return write().then(() => {
          throw new Error("connection reset after commit");
        });
      default:
        return write();
    }
  };
  const c = () => spy.counts;
  const wrapped: Record<PropertyKey, unknown> = {
    get: (key: Deno.KvKey, o?: { consistency?: Deno.KvConsistencyLevel }) => {
      c().reads++;
      c().readKeys++;
      return kv.get(key, o);
    },
    getMany: (keys: Deno.KvKey[], o?: { consistency?: Deno.KvConsistencyLevel }) => {
      c().reads++;
      c().readKeys += keys.length;
      return kv.getMany(keys, o);
    },
    list: (sel: Deno.KvListSelector, o?: Deno.KvListOptions) => {
      c().reads++;
      const inner = kv.list(sel, o);
      return (async function* () {
        for await (const e of inner) {
          c().readKeys++;
          yield e;
        }
      })();
    },
    set: (key: Deno.KvKey, value: unknown, o?: { expireIn?: number }) =>
      failing(() => {
        c().writes++;
        c().mutations++;
        return kv.set(key, value, o);
      }),
    delete: (key: Deno.KvKey) =>
      failing(() => {
        c().writes++;
        c().mutations++;
        return kv.delete(key);
      }),
    atomic: () => spyAtomic(kv.atomic(), spy, failing),
    watch: (keys: Deno.KvKey[], o?: { raw?: boolean }) => {
      c().watches++;
      return kv.watch(keys, o).pipeThrough(
        new TransformStream({
          transform(chunk, ctl) {
            c().watchBatches++;
            ctl.enqueue(chunk);
          },
        }),
      );
    },
  };
  spy.kv = new Proxy(kv, {
    get(target, prop) {
      if (prop in wrapped) return wrapped[prop];
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return spy;
}

/** An atomic op whose mutations are counted and whose commit obeys the fault. */
function spyAtomic(
  op: Deno.AtomicOperation,
  spy: KvSpy,
  failing: <T>(write: () => Promise<T>) => Promise<T>,
): Deno.AtomicOperation {
  let mutations = 0;
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      if (prop === "commit") {
        return () =>
          failing(() => {
            spy.counts.writes++;
            spy.counts.mutations += mutations;
            return target.commit();
          });
      }
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (prop !== "check") mutations++;
        const out = v.apply(target, args);
        return out === target ? proxy : out;
      };
    },
  });
  return proxy;
}
