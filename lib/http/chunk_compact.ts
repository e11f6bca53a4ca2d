/**
 * Right-sized chunks for bodies Detour reads in JavaScript and may hold on to. Deno's fetch reader
 * gives every chunk a 64 KiB buffer of its own, however few bytes it carries: an SSE event of 40
 * bytes kept (a stream's preamble, its tail) or queued for a slow client pins 64 KiB, and a
 * stream of pings held before content pinned gigabytes across a few hundred streams. Reading
 * into one buffer per stream and handing out copies of exactly the bytes read keeps memory at
 * what the events weigh.
 */

/** One stream's read buffer: a burst of SSE events fits; a longer chunk takes several reads. */
export const READ_BUFFER_BYTES = 16 * 1024;

/**
 * `chunk`, or a copy of it in a buffer of its own size when it pins a buffer much larger than
 * itself (more than twice its size and at least 1 KiB more).
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { compactChunk } from "./chunk_compact.ts";
 *
 * const small = new Uint8Array(65536).subarray(0, 40);
 * assert.equal(compactChunk(small).buffer.byteLength, 40);
 * const full = new Uint8Array(100);
 * assert.equal(compactChunk(full), full);
 * ```
 */
export function compactChunk(chunk: Uint8Array): Uint8Array {
  const held = chunk.buffer.byteLength;
  return held > 2 * chunk.byteLength && held - chunk.byteLength >= 1024 ? chunk.slice() : chunk;
}

/** Concatenates `chunks` into one buffer of their total size (the one chunk itself, if alone). */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * What a stream's observer keeps of its replayed head for the stream's life: the first
 * `HEAD_KEPT_BYTES` (`message_start` and its usage come first; debug capture shows no more),
 * copied when the head is longer, so a long preamble of pings is not kept.
 */
export function keptHead(head: Uint8Array): Uint8Array {
  return head.byteLength <= HEAD_KEPT_BYTES ? head : head.slice(0, HEAD_KEPT_BYTES);
}

/** See `keptHead`. */
export const HEAD_KEPT_BYTES = 64 * 1024;

/**
 * A default reader over `body` whose chunks are right-sized: a byte stream (a fetch body) is
 * read into one reused buffer per stream, each chunk a copy of the bytes read; any other stream
 * has its chunks compacted (`compactChunk`).
 */
export function compactReader(
  body: ReadableStream<Uint8Array>,
): ReadableStreamDefaultReader<Uint8Array> {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (a stream built in JavaScript): its chunks are as the producer made them.
    return new CompactingReader(body.getReader());
  }
  return new ByobCopyReader(byob);
}

/** Reads a byte stream into one reused buffer; every chunk is a right-sized copy. */
class ByobCopyReader implements ReadableStreamDefaultReader<Uint8Array> {
  #reader: ReadableStreamBYOBReader;
  /** Null while a read owns it (BYOB reads transfer the buffer) or once the stream ended. */
  #buffer: ArrayBuffer | null = new ArrayBuffer(READ_BUFFER_BYTES);

  constructor(reader: ReadableStreamBYOBReader) {
    this.#reader = reader;
  }

  get closed(): Promise<void> {
    return this.#reader.closed;
  }

  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const buffer = this.#buffer ?? new ArrayBuffer(READ_BUFFER_BYTES);
    this.#buffer = null;
    const { done, value } = await this.#reader.read(new Uint8Array(buffer));
    if (done || !value) return { done: true, value: undefined };
    // The read handed the (transferred) buffer back in `value`: take it for the next read.
    this.#buffer = value.buffer as ArrayBuffer;
    return { done: false, value: value.slice() };
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }

  releaseLock(): void {
    this.#reader.releaseLock();
  }
}

/** A default reader whose chunks go through `compactChunk`. */
class CompactingReader implements ReadableStreamDefaultReader<Uint8Array> {
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  get closed(): Promise<void> {
    return this.#reader.closed;
  }

  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const result = await this.#reader.read();
    return result.done ? result : { done: false, value: compactChunk(result.value) };
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }

  releaseLock(): void {
    this.#reader.releaseLock();
  }
}

/**
 * A stream's head while it is held: every chunk appended to one buffer that doubles as it
 * fills, instead of a buffer per chunk (a preamble of 500 pings was 500 small buffers, each with
 * its own backing-store bookkeeping). The bytes are replayed as one chunk.
 */
export class HeadBuffer {
  #buf = new Uint8Array(HEAD_START_BYTES);
  #len = 0;

  /** Bytes held so far. */
  get byteLength(): number {
    return this.#len;
  }

  /** Appends a copy of `chunk`. */
  append(chunk: Uint8Array): void {
    const need = this.#len + chunk.byteLength;
    if (need > this.#buf.length) {
      let size = this.#buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
  }

  /** The bytes held, as one chunk (a view of the buffer, at most twice their size). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

/** A message_start with its usage, a ping and a content_block_start fit in one of this size. */
const HEAD_START_BYTES = 2 * 1024;
