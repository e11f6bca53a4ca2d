/**
 * What is read off an answer's body once it has been relayed: the token usage it reports.
 * The commit functions hand the body's ends to an observer; they never parse usage themselves.
 */
import { type Usage, usageFromJson, usageFromSse } from "../usage/parse.ts";

/** Reads a relayed body's ends once it has gone out. */
export interface RelayObserver {
  /** A JSON answer's first and last few KiB (latin1). */
  json(head: string, tail: string): Usage | null;
  /** A stream's first chunks and its last bytes (latin1). */
  sse(head: Uint8Array[], tail: string): Usage | null;
}

/** The usage reader every proxied answer gets. */
export const usageObserver: RelayObserver = { json: usageFromJson, sse: usageFromSse };
