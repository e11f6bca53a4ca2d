/**
 * The idle limit of a relayed body: one check per stream, every quarter of the limit,
 * instead of a timer per chunk. A stream is stalled while a read is pending or only keep-alives
 * (SSE pings) arrived since the last check; stalled and without progress on more than
 * IDLE_CHECKS checks in a row, it has waited at least `idleMs` (at most a quarter more), and
 * `onIdle` fires once. A slow client is not counted: while it does not pull, no read is pending.
 */

/** Idle checks per idle limit. */
const IDLE_CHECKS = 4;

export class IdleWatch {
  #idleMs: number;
  #onIdle: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Chunks that counted as progress. */
  #progress = 0;
  #pending = false;
  /** A keep-alive (no progress) arrived since the last check. */
  #kept = false;
  #seen = -1;
  #strikes = 0;
  #stopped = false;
  /** True once the limit has passed (and `onIdle` has fired). */
  idled = false;

  /** Watches for `idleMs` without progress (0: never). */
  constructor(idleMs: number, onIdle: () => void) {
    this.#idleMs = idleMs;
    this.#onIdle = onIdle;
  }

  /** A read of the upstream starts (arms the check on the first one). */
  reading(): void {
    this.#pending = true;
    if (this.#idleMs > 0 && this.#timer === undefined && !this.#stopped) this.#arm();
  }

  /** A read came back: with content (`progress`), or only a keep-alive. */
  got(progress: boolean): void {
    this.#pending = false;
    if (progress) this.#progress++;
    else this.#kept = true;
  }

  /** The read failed or the stream ended: no read is pending any more. */
  settled(): void {
    this.#pending = false;
  }

  /** Stops checking for good. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#timer = setTimeout(this.#check, this.#idleMs / IDLE_CHECKS);
  }

  #check = (): void => {
    if (this.#stopped) return;
    const stalled = this.#pending || this.#kept;
    this.#kept = false;
    if (stalled && this.#seen === this.#progress) this.#strikes++;
    else {
      this.#seen = this.#progress;
      this.#strikes = stalled ? 1 : 0;
    }
    if (this.#strikes > IDLE_CHECKS) {
      this.idled = true;
      this.#onIdle();
      return;
    }
    this.#arm();
  };
}

/** SSE keep-alive lines: a `ping` event, its data, comments, blank lines. */
const KEEP_ALIVE = /^(?:(?:event: ?ping|data: ?\{ ?"type" ?: ?"ping" ?\}|:[^\r\n]*)?\r?\n)+$/;
/** A chunk larger than this carries more than keep-alives (a ping event is ~40 bytes). */
const KEEP_ALIVE_MAX = 128;
/** A bare `data:` ping is ~25 bytes; the smallest content event without `event:` is far longer. */
const DATA_PING_MAX = 40;
const latin1 = new TextDecoder("latin1");
const [COLON, CR, LF, E, D, P] = [":", "\r", "\n", "e", "d", "p"].map((c) => c.charCodeAt(0));

/**
 * True when an SSE chunk holds only keep-alives (pings, comments): no progress. Content chunks
 * are ruled out by their first bytes, so only likely keep-alives are decoded.
 */
export function isKeepAlive(chunk: Uint8Array): boolean {
  const n = chunk.byteLength;
  if (n === 0) return true; // nothing is no progress either
  if (n > KEEP_ALIVE_MAX) return false;
  const first = chunk[0];
  const likely = first === COLON || first === CR || first === LF ||
    // `event: ping` / `event:ping`
    (first === E && (chunk[7] === P || chunk[6] === P)) ||
    (first === D && n <= DATA_PING_MAX);
  return likely && KEEP_ALIVE.test(latin1.decode(chunk));
}
