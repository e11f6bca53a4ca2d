/**
 * The deadlines of one client connection behind the front listener. It reads only the bytes that
 * frame a request (the blank line ending the head, the body's length) and is told by the HTTP
 * handler when a request starts and when its response is done; it never parses the response.
 *
 * - From the connection's first byte, or a new request's first byte, the head must arrive within
 *   `headersMs`.
 * - After the head, the body must arrive within `bodyMs`.
 * - While a response is being produced nothing is timed: a streamed answer may be silent for
 *   minutes while the model thinks (upstream timeouts bound that, not this).
 * - A kept-alive connection with no request in flight is closed after `idleMs`.
 */

/** The three time limits, in milliseconds. */
export interface ConnLimits {
  headersMs: number;
  bodyMs: number;
  idleMs: number;
}

/** How the request that just reached the handler frames its body. */
export type BodyFraming = { length: number } | "chunked";

type Phase = "between" | "head" | "body" | "h2";

const CR = 13;
const LF = 10;
/** The blank line ending a head, matched byte by byte across reads. */
const HEAD_END = [CR, LF, CR, LF];
/** The last chunk of a chunked body (no trailers): "\r\n0\r\n\r\n", or "0\r\n\r\n" alone. */
const LAST_CHUNK = [CR, LF, 0x30, CR, LF, CR, LF];
/** An HTTP/2 prior-knowledge connection starts with this; its requests are multiplexed. */
const H2_PREFACE = "PRI * HTTP/2.0";

/** One connection's request framing and deadlines; every method takes the current time. */
export class ConnClock {
  #phase: Phase = "between";
  /** When the current phase began (for "between": when the connection went idle). */
  #since: number;
  /** Nothing received yet: the first head is due `headersMs` after the accept. */
  #fresh = true;
  #inFlight = 0;
  #headMatch = 0;
  #bodySeen = 0;
  #framing: BodyFraming | null = null;
  #tail: number[] = [];

  constructor(now: number, readonly limits: ConnLimits) {
    this.#since = now;
  }

  /** Requests whose response is not yet done. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Kept alive with no request in flight and none arriving: the first to close under pressure. */
  get idle(): boolean {
    return this.#phase === "between" && this.#inFlight === 0 && !this.#fresh;
  }

  /** When this connection is to be closed, or Infinity while a response is being produced. */
  deadline(): number {
    const { headersMs, bodyMs, idleMs } = this.limits;
    switch (this.#phase) {
      case "head":
        return this.#since + headersMs;
      case "body":
        return this.#since + bodyMs;
      case "h2":
        return this.#inFlight > 0 ? Infinity : this.#since + idleMs;
      case "between":
        if (this.#inFlight > 0) return Infinity;
        return this.#since + (this.#fresh ? headersMs : idleMs);
    }
  }

  /** Bytes from the client, in order. */
  received(chunk: Uint8Array, now: number): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#phase === "h2") return;
      if (this.#phase === "between") {
        if (this.#fresh && startsWith(chunk, i, H2_PREFACE)) {
          this.#fresh = false;
          this.#enter("h2", now);
          return;
        }
        this.#fresh = false;
        this.#headMatch = 0;
        this.#enter("head", now);
      }
      if (this.#phase === "head") i = this.#scanHead(chunk, i, now);
      else i = this.#countBody(chunk, i);
    }
  }

  /** The handler has the request (its head is complete) with this body framing. */
  requestStarted(framing: BodyFraming, now: number): void {
    this.#inFlight++;
    if (this.#phase === "body" && this.#framing === null) {
      this.#framing = framing;
      this.#settleBody(now);
    }
  }

  /** The response to one request is done (sent, or abandoned by the client). */
  requestEnded(now: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight > 0) return;
    if (this.#phase === "between" || this.#phase === "h2") this.#since = now;
  }

  #enter(phase: Phase, now: number): void {
    this.#phase = phase;
    this.#since = now;
  }

  /** Advances through the head; returns the index after what it consumed. */
  #scanHead(chunk: Uint8Array, from: number, now: number): number {
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === HEAD_END[this.#headMatch]) this.#headMatch++;
      else this.#headMatch = b === CR ? 1 : 0;
      if (this.#headMatch === HEAD_END.length) {
        this.#bodySeen = 0;
        this.#framing = null;
        this.#tail = [];
        this.#enter("body", now);
        return i + 1;
      }
    }
    return chunk.length;
  }

  /** Counts body bytes; returns the index after them (bytes past a known length start anew). */
  #countBody(chunk: Uint8Array, from: number): number {
    const framing = this.#framing;
    if (framing !== null && framing !== "chunked") {
      const take = Math.min(chunk.length - from, framing.length - this.#bodySeen);
      this.#bodySeen += take;
      if (this.#bodySeen >= framing.length) this.#phase = "between";
      return from + take;
    }
    this.#bodySeen += chunk.length - from;
    this.#tail = [...this.#tail, ...chunk.subarray(Math.max(from, chunk.length - 7))].slice(-7);
    if (framing === "chunked" && this.#chunkedDone()) this.#phase = "between";
    return chunk.length;
  }

  /** Called once the framing is known: the body may already be complete. */
  #settleBody(now: number): void {
    const framing = this.#framing;
    if (framing === "chunked") {
      if (this.#chunkedDone()) this.#enter("between", now);
    } else if (framing !== null && this.#bodySeen >= framing.length) {
      // Bytes beyond the body belong to a pipelined request whose head has begun: time it anew.
      const extra = this.#bodySeen > framing.length;
      this.#headMatch = 0;
      this.#enter(extra ? "head" : "between", now);
    }
  }

  #chunkedDone(): boolean {
    const t = this.#tail;
    const ends = (seq: number[]) =>
      t.length >= seq.length && seq.every((b, k) => t[t.length - seq.length + k] === b);
    return ends(LAST_CHUNK) || (this.#bodySeen === 5 && ends(LAST_CHUNK.slice(2)));
  }
}

function startsWith(chunk: Uint8Array, at: number, text: string): boolean {
  if (chunk.length - at < text.length) return false;
  for (let k = 0; k < text.length; k++) if (chunk[at + k] !== text.charCodeAt(k)) return false;
  return true;
}
