/**
 * Loading something once, for modules imported on first use (cold start): concurrent callers
 * share the one load, a failed load is forgotten so the next call tries again, and once it has
 * succeeded the value is at hand without an await (the request path reads it per attempt).
 */

/** A value made at most once by `make`, read synchronously once made. */
export interface Once<T> {
  /** The value, or undefined while it has not been made yet. */
  readonly value: T | undefined;
  /** The value, making it if need be (callers meanwhile share the one `make`). */
  get(): Promise<T>;
}

/**
 * Wraps `make` so that it runs once.
 *
 * ```ts
 * import { once } from "./once.ts";
 * let calls = 0;
 * const answer = once(async () => ++calls);
 * await Promise.all([answer.get(), answer.get()]);
 * if (calls !== 1 || answer.value !== 1) throw new Error("made twice");
 * ```
 */
export function once<T>(make: () => Promise<T>): Once<T> {
  let value: T | undefined;
  let pending: Promise<T> | null = null;
  return {
    get value() {
      return value;
    },
    get: () =>
      value !== undefined ? Promise.resolve(value) : pending ??= make().then(
        (made) => value = made,
        (err) => {
          pending = null;
          throw err;
        },
      ),
  };
}
