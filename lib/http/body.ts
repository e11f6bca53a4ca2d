/**
 * Reads a request body once, with a size limit. Hono's bodyLimit middleware only checks and
 * leaves the body to be read again; the proxy needs the bytes themselves, read exactly once.
 */

/** The body was larger than the limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds the ${limit}-byte limit`);
  }
}

/** Too many body bytes are being read at once: the client should retry shortly. */
export class BodiesBusy extends Error {
  constructor() {
    super("too many request bodies are being received at once; retry shortly");
  }
}

/**
 * The default budget for bodies being received at once: four bodies at the size limit, and
 * never under 64 MiB, so a low limit does not make ordinary concurrent requests wait.
 */
export function bodyBudgetBytes(bodyLimitBytes: number): number {
  return Math.max(4 * bodyLimitBytes, 64 * 1024 * 1024);
}

/**
 * The request body bytes being received at once, across all requests: a bound on the memory
 * that large or slow uploads can hold together. One per process (boot builds it); `limit()` is
 * read at each reservation so a config edit applies at once.
 */
export class BodyBudget {
  #inFlight = 0;

  constructor(readonly limit: () => number) {}

  /** Bytes reserved by reads in progress. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Reserves `bytes`; false, reserving nothing, when that would pass the limit. */
  take(bytes: number): boolean {
    if (this.#inFlight + bytes > this.limit()) return false;
    this.#inFlight += bytes;
    return true;
  }

  /** Returns bytes reserved by `take`. */
  give(bytes: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - bytes);
  }
}

/**
 * The whole body as bytes, or `BodyTooLarge` as soon as it passes `limit`. With a `budget`, the
 * bytes are reserved while they are read (a declared length at once, a chunked body as it
 * arrives), and `BodiesBusy` is thrown instead of passing it.
 */
export async function readBodyLimited(
  req: Request,
  limit: number,
  budget?: BodyBudget,
): Promise<Uint8Array<ArrayBuffer>> {
  const length = req.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  if (!req.body) return new Uint8Array();
  // With a declared length (Claude Code always sends one) the runtime enforces it, so the
  // native one-copy read is safe; chunked bodies are counted as they arrive.
  if (Number.isFinite(declared)) {
    if (budget && !budget.take(declared)) throw new BodiesBusy();
    try {
      return new Uint8Array(await req.arrayBuffer());
    } finally {
      budget?.give(declared);
    }
  }
  return await readChunked(req.body, limit, budget);
}

/** A body of unknown length, counted (and reserved from `budget`) chunk by chunk. */
async function readChunked(
  body: ReadableStream<Uint8Array>,
  limit: number,
  budget?: BodyBudget,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) throw new BodyTooLarge(limit);
      if (budget && !budget.take(value.byteLength)) throw new BodiesBusy();
      size += value.byteLength;
      parts.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  } finally {
    // Only `size` bytes were reserved: a refused chunk never was.
    budget?.give(size);
  }
  if (parts.length === 1 && parts[0].byteOffset === 0) {
    return parts[0] as Uint8Array<ArrayBuffer>;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * At most `limit` bytes of a response body, then the rest is cancelled: a failing upstream is
 * not allowed to stream megabytes of error at us.
 */
export async function readBounded(
  res: Response,
  limit = 64 * 1024,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!res.body) return new Uint8Array();
  // A short body of declared length (an upstream's 429, say) is read in one native call: this
  // is on the failover path, where every event-loop turn delays the next provider's attempt.
  // Not when compressed: the declared length is then the compressed one.
  const declared = Number(res.headers.get("content-length") ?? NaN);
  const encoded = (res.headers.get("content-encoding") ?? "identity") !== "identity";
  if (declared <= limit && !encoded) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const p of parts) {
    const take = Math.min(p.byteLength, out.byteLength - offset);
    out.set(p.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

/** `readBounded`, decoded as UTF-8 text. */
export async function readBoundedText(res: Response, limit = 64 * 1024): Promise<string> {
  return new TextDecoder().decode(await readBounded(res, limit));
}
