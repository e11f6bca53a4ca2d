/**
 * Turning a connection away when Detour is at its connection cap: an Anthropic-format 529
 * `overloaded_error` with `retry-after`, written straight to the socket (the HTTP server is not
 * involved, so this costs nothing but the accepted descriptor, briefly).
 */
import { anthropicErrorBody } from "../http/errors.ts";
import { writeAll } from "./front_conn.ts";

/** Seconds a turned-away client is asked to wait. */
export const SHED_RETRY_AFTER_S = 2;

/** How long a turned-away connection may take, all told, before it is closed. */
const SHED_MS = 1000;
/** How long the answer waits for the request head (a client sends it at once; a slow one not). */
const HEAD_WAIT_MS = 300;
/** Bytes read, at most, from a turned-away connection. */
const READ_LIMIT = 64 * 1024;
const HEAD_END = [13, 10, 13, 10];

/** The raw HTTP/1.1 529 answer. */
export function overloadedResponse(cap: number): Uint8Array {
  const body = anthropicErrorBody(
    529,
    `Detour is at its limit of ${cap} open connections; retry in a moment.`,
  );
  const head = [
    "HTTP/1.1 529 Site Overloaded",
    "content-type: application/json",
    `content-length: ${new TextEncoder().encode(body).length}`,
    `retry-after: ${SHED_RETRY_AFTER_S}`,
    "x-should-retry: true",
    "connection: close",
    "",
    "",
  ].join("\r\n");
  return new TextEncoder().encode(head + body);
}

/**
 * Answers 529 and closes. The answer waits (briefly) for the request head, since an HTTP client
 * that gets an answer before it has sent its request treats it as a protocol error rather than a
 * 529; and the request is read to its end, since closing a socket with unread bytes makes the
 * kernel send a reset, which the client may see before the answer. All within `SHED_MS`.
 */
export async function shed(conn: Deno.Conn, answer: Uint8Array): Promise<void> {
  const closeTimer = setTimeout(() => closeQuietly(conn), SHED_MS);
  let headArrived = () => {};
  const head = new Promise<void>((resolve) => (headArrived = resolve));
  const headTimer = setTimeout(headArrived, HEAD_WAIT_MS);
  const drained = drain(conn, headArrived);
  try {
    await Promise.race([head, drained]);
    await writeAll(conn, answer);
    await conn.closeWrite();
    await drained;
  } catch {
    // the client went, or the timer closed the socket
  } finally {
    clearTimeout(headTimer);
    clearTimeout(closeTimer);
    closeQuietly(conn);
  }
}

/** Reads and discards the request (never rejects), calling `onHead` once its head is in. */
async function drain(conn: Deno.Conn, onHead: () => void): Promise<void> {
  const sink = new Uint8Array(4096);
  let read = 0;
  let matched = 0;
  while (read < READ_LIMIT) {
    const n = await conn.read(sink).catch(() => null);
    if (n === null) return;
    read += n;
    for (let i = 0; i < n && matched < HEAD_END.length; i++) {
      matched = sink[i] === HEAD_END[matched] ? matched + 1 : sink[i] === 13 ? 1 : 0;
    }
    if (matched === HEAD_END.length) onHead();
  }
}

/** Closes a socket that may already be closed. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
