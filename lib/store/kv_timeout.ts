/**
 * A time limit on KV calls that may hang (a locked database, a stuck remote), and the error that
 * names why KV could not be reached, so the admin API answers a clear 503 within seconds instead
 * of a generic 500 or a request that hangs.
 */

/** KV did not answer in time or failed to write: the cause in words a user can act on. */
export class KvUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KvUnavailableError";
  }
}

/** How long an admin write may wait for KV before it answers 503. */
export const ADMIN_KV_TIMEOUT_MS = 3000;

/** What a KV failure says, in a line (disk full, locked, …), for logs and the 503 body. */
export function kvCause(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/disk is full|SQLITE_FULL|no space/i.test(text)) return "the disk is full";
  if (/locked|SQLITE_BUSY/i.test(text)) return "the database is locked by another process";
  if (/read-?only|SQLITE_READONLY/i.test(text)) return "the database is read-only";
  if (/closed/i.test(text)) return "the database is closed";
  return text.split("\n")[0].slice(0, 200);
}

/** `p`, or a KvUnavailableError once `ms` pass (or `p` fails with a storage error). */
export async function withKvTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new KvUnavailableError(`the database did not answer ${what} within ${ms / 1000} s`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } catch (err) {
    if (err instanceof KvUnavailableError) throw err;
    throw new KvUnavailableError(`the database could not complete ${what}: ${kvCause(err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}
