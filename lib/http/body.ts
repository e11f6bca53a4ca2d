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

/** The whole body as bytes, or `BodyTooLarge` as soon as it passes `limit`. */
export async function readBodyLimited(
  req: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const length = req.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  if (!req.body) return new Uint8Array();
  // With a declared length (Claude Code always sends one) the runtime enforces it, so the
  // native one-copy read is safe; chunked bodies are counted as they arrive.
  if (Number.isFinite(declared)) return new Uint8Array(await req.arrayBuffer());
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    parts.push(value);
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
