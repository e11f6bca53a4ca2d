/**
 * Waits for a shared promise (a token refresh many requests wait on) but gives up as soon as
 * this request's signal aborts — a hung token endpoint must not hold a request past its
 * timeout — while the shared work goes on for the others.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
