/**
 * Large read buffers the front listener lends a connection while its reads fill the small one (a
 * request body arriving), taken back once the body is in: no 64 KiB allocation per request (nor
 * the garbage collection it brings), and no connection holding one while it waits.
 */
export class BufferPool {
  #free: Uint8Array<ArrayBuffer>[] = [];

  /** Lends buffers of `size` bytes and keeps at most `keep` returned ones for reuse. */
  constructor(readonly size = 64 * 1024, readonly keep = 64) {}

  /** A buffer of `size` bytes (a returned one when there is one). */
  take(): Uint8Array<ArrayBuffer> {
    return this.#free.pop() ?? new Uint8Array(this.size);
  }

  /** Returns a buffer from `take`; its bytes may be handed out again at once. */
  give(buf: Uint8Array<ArrayBuffer>): void {
    if (buf.length === this.size && this.#free.length < this.keep) this.#free.push(buf);
  }
}
