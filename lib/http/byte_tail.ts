/**
 * The last bytes of a relayed stream, copied as they pass: keeping the chunks themselves would
 * keep every buffer they sit in (64 KiB each from Deno's fetch reader), and a stream of tiny
 * events needs hundreds of them to cover a few KiB.
 */

/** The last `size` bytes written, in a buffer of twice that (copied down when it fills). */
export class ByteTail {
  #buf: Uint8Array;
  #len = 0;

  constructor(readonly size: number) {
    this.#buf = new Uint8Array(2 * size);
  }

  /** Adds `chunk`'s bytes (only its last `size` matter). */
  remember(chunk: Uint8Array): void {
    const size = this.size;
    if (chunk.byteLength >= size) {
      this.#buf.set(chunk.subarray(chunk.byteLength - size));
      this.#len = size;
      return;
    }
    if (this.#len + chunk.byteLength > this.#buf.length) {
      const keep = size - chunk.byteLength;
      this.#buf.copyWithin(0, this.#len - keep, this.#len);
      this.#len = keep;
    }
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.byteLength;
  }

  /** The last `size` bytes (fewer if fewer passed); a view, valid until the next `remember`. */
  bytes(): Uint8Array {
    return this.#buf.subarray(Math.max(0, this.#len - this.size), this.#len);
  }
}
