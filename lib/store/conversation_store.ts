/**
 * The reasoning state of Claude Code conversations in KV, so every instance (and a restarted
 * one) can continue a conversation on any provider: per assistant turn, who produced it and its
 * reasoning text; per tool call, who produced it and its Gemini thought signature. Every entry
 * expires (`expireIn`); writes are sent off the request path, one atomic per answer, and
 * `flush()` waits for the ones in flight.
 */
import { KV } from "./keys.ts";

/** One assistant turn: its producer (provider id) and, for translated answers, its reasoning. */
export interface TurnRecord {
  p: string;
  /** The reasoning text (`reasoning_content`), when the producer sent one. */
  rc?: string;
}

/** One tool call: its producer and, from Gemini, its thought signature. */
export interface CallRecord {
  p: string;
  /** `extra_content.google.thought_signature` of the call. */
  ts?: string;
}

/** What the store holds about one conversation. */
export interface ConversationRecord {
  turns: Map<number, TurnRecord>;
  calls: Map<string, CallRecord>;
}

/** Reasoning longer than this is not stored (a KV value holds 64 KiB; the client keeps it). */
export const MAX_STORED_REASONING = 16 * 1024;
/** Thought signatures longer than this are not stored. */
const MAX_SIGNATURE = 16 * 1024;
/** Tool-call ids longer than this are not keys (a KV key holds 2 KiB). */
const MAX_TOOL_ID = 256;
/** How many entries one conversation read returns at most (bounded). */
const MAX_ENTRIES = 2000;

/** KV-backed conversation records, written fire-and-forget with errors reported. */
export class ConversationStore {
  #kv: Deno.Kv;
  #ttlMs: number;
  #onError: (err: unknown) => void;
  #inFlight = new Set<Promise<void>>();

  constructor(kv: Deno.Kv, opts: { ttlMs: number; onError?: (err: unknown) => void }) {
    this.#kv = kv;
    this.#ttlMs = opts.ttlMs;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Writes one answer's records in one atomic, without waiting for it. */
  save(
    conversation: string,
    turns: readonly (readonly [number, TurnRecord])[],
    calls: readonly (readonly [string, CallRecord])[] = [],
  ): void {
    try {
      this.#write(conversation, turns, calls);
    } catch (err) {
      this.#onError(err); // a key or value over KV's limits
    }
  }

  #write(
    conversation: string,
    turns: readonly (readonly [number, TurnRecord])[],
    calls: readonly (readonly [string, CallRecord])[],
  ): void {
    const op = this.#kv.atomic();
    const expireIn = this.#ttlMs;
    for (const [index, turn] of turns) {
      const value = turn.rc && turn.rc.length > MAX_STORED_REASONING ? { p: turn.p } : turn;
      op.set(KV.conversationTurn(conversation, index), value, { expireIn });
    }
    for (const [id, call] of calls) {
      if (id.length > MAX_TOOL_ID) continue;
      const value = call.ts && call.ts.length > MAX_SIGNATURE ? { p: call.p } : call;
      op.set(KV.conversationCall(conversation, id), value, { expireIn });
    }
    const write: Promise<void> = op.commit().then(() => {}, this.#onError).finally(() =>
      this.#inFlight.delete(write)
    );
    this.#inFlight.add(write);
  }

  /** Everything stored about one conversation. */
  async load(conversation: string): Promise<ConversationRecord> {
    const record: ConversationRecord = { turns: new Map(), calls: new Map() };
    const entries = this.#kv.list<TurnRecord | CallRecord>(
      { prefix: KV.conversationPrefix(conversation) },
      { limit: MAX_ENTRIES, batchSize: 500 },
    );
    for await (const { key, value } of entries) {
      const [, , kind, id] = key;
      if (kind === "t" && typeof id === "number") record.turns.set(id, value as TurnRecord);
      else if (kind === "c" && typeof id === "string") record.calls.set(id, value as CallRecord);
    }
    return record;
  }

  /** Waits for every write in flight (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }
}
