/**
 * Turning a connection away when Detour is at its connection cap: an Anthropic-format 529
 * `overloaded_error` with `retry-after`, written straight to the socket (the HTTP server is not
 * involved, so this costs nothing but the accepted descriptor, briefly).
 */
import { anthropicErrorBody } from "../http/errors.ts";
import { writeAll } from "./front_conn.ts";

/** Seconds a turned-away client is asked to wait. */
export const SHED_RETRY_AFTER_S = 2;

/** How long a turned-away connection is drained before it is closed. */
const DRAIN_MS = 1000;

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
 * Answers 529 and closes. The request is read (briefly, discarded) after the answer: closing a
 * socket with unread bytes makes the kernel send a reset, which the client may see before the
 * answer.
 */
export async function shed(conn: Deno.Conn, answer: Uint8Array): Promise<void> {
  const timer = setTimeout(() => closeQuietly(conn), DRAIN_MS);
  try {
    await writeAll(conn, answer);
    await conn.closeWrite();
    const sink = new Uint8Array(4096);
    for (let i = 0; i < 64; i++) if (await conn.read(sink) === null) break;
  } catch {
    // the client went, or the drain timer closed the socket
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
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
