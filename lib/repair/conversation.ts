/**
 * Claude Code conversations: which provider produced each assistant turn and tool call, what
 * each needs to continue (reasoning, Gemini thought signatures), and which provider a
 * failed-over session is staying on. ("Session" here is Claude Code's session id; admin
 * sessions are lib/auth's.)
 *
 * The book is an in-memory front (bounded, with a TTL) over the KV store
 * (lib/store/conversation_store.ts), which every instance shares: answers are recorded in both,
 * off the request path; a request reads KV once, only when its history holds turns that matter
 * to repair (tool calls, thinking) and that this instance has not seen.
 */
import type { CallRecord, ConversationStore, TurnRecord } from "../store/conversation_store.ts";
import { MAX_STORED_REASONING } from "../store/conversation_store.ts";
import type { AnswerFacts } from "../translate/openai_fields.ts";
import { obj } from "../json_shape.ts";
import {
  answerIndex,
  conversationKeyOf,
  historyKey,
  type MemoHolder,
  sessionIdOf,
} from "./conversation_key.ts";

export { answerIndex, historyKey, sessionIdOf } from "./conversation_key.ts";
export type { AnswerFacts };

type Json = Record<string, unknown>;

/** What one conversation's history is known to hold, as a request's repair reads it. */
export interface ConversationView {
  /** The producer of the assistant message at `index`. */
  producerOf(index: number): string | undefined;
  /** The recorded turn at `index` (producer, reasoning). */
  turn(index: number): TurnRecord | undefined;
  /** The recorded tool call with this id (producer, Gemini thought signature). */
  call(id: string): CallRecord | undefined;
}

/** One conversation in memory. */
interface ConversationState {
  turns: Map<number, TurnRecord>;
  calls: Map<string, CallRecord>;
  /** History length up to which the store has been read. */
  checked: number;
  /** Reasoning characters held in `turns` (bounded: KV keeps the rest). */
  reasoningChars: number;
}

/** Reasoning kept in memory per conversation; beyond it only KV holds it. */
const MEMORY_REASONING = 32 * 1024;

/** A Map that forgets the least recently used entries beyond `max` and entries past `ttlMs`. */
class Lru<V> {
  #map = new Map<string, { value: V; at: number }>();
  constructor(private max: number, private ttlMs: number) {}
  get(key: string, now = Date.now()): V | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    if (now - e.at > this.ttlMs) {
      this.#map.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, now = Date.now()): void {
    this.#map.delete(key);
    this.#map.set(key, { value, at: now });
    while (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
  clear(): void {
    this.#map.clear();
  }
}

/** Whether the assistant turn at `message` carries blocks whose producer matters to repair. */
function mattersToRepair(message: unknown): boolean {
  const m = obj(message);
  if (m?.role !== "assistant" || !Array.isArray(m.content)) return false;
  return m.content.some((b) => {
    const t = obj(b)?.type;
    return t === "tool_use" || t === "thinking" || t === "redacted_thinking";
  });
}

/** Options of a book: its KV store (none: memory only) and its memory bounds. */
export interface ConversationBookOptions {
  store?: ConversationStore;
  max?: number;
  ttlMs?: number;
  /** Reports a failed store read. */
  onError?: (err: unknown) => void;
}

/**
 * What Detour remembers about Claude Code conversations, per app (lib/deps.ts `conversations`).
 * `request` arguments are the request that carries `body`: its memo keeps the body's
 * fingerprint, so one body is fingerprinted once.
 */
export class ConversationBook {
  #states: Lru<ConversationState>;
  /** session id -> the provider a failed-over session stays on. */
  #sticky: Lru<string>;
  /** provider id -> when it was last seen failing. */
  #unhealthy = new Map<string, number>();
  #store?: ConversationStore;
  #onError: (err: unknown) => void;

  constructor(opts: ConversationBookOptions = {}) {
    const max = opts.max ?? 20_000;
    const ttlMs = opts.ttlMs ?? 12 * 3600_000;
    this.#states = new Lru(max, ttlMs);
    this.#sticky = new Lru(max, ttlMs);
    this.#store = opts.store;
    this.#onError = opts.onError ?? (() => {});
  }

  #state(key: string): ConversationState {
    let state = this.#states.get(key);
    if (!state) {
      state = { turns: new Map(), calls: new Map(), checked: 0, reasoningChars: 0 };
      this.#states.set(key, state);
    }
    return state;
  }

  #remember(state: ConversationState, index: number, turn: TurnRecord): void {
    const previous = state.turns.get(index)?.rc?.length ?? 0;
    let kept = turn;
    if (turn.rc && state.reasoningChars - previous + turn.rc.length > MEMORY_REASONING) {
      kept = { p: turn.p };
    }
    state.reasoningChars += (kept.rc?.length ?? 0) - previous;
    state.turns.set(index, kept);
  }

  /**
   * Notes that `provider` answered this request (2xx); `persist: false` leaves the KV write to
   * `answered` (a translated answer, whose facts come at its end).
   */
  served(
    headers: Headers,
    body: Json,
    provider: string,
    request?: MemoHolder,
    persist = true,
  ): void {
    const sid = sessionIdOf(headers, body);
    if (!sid) return;
    const key = historyKey(sid, body, request);
    const index = answerIndex(body);
    const state = this.#state(key);
    // The same turn answered again by the same provider (a client retry): nothing new to write.
    this.#sticky.set(sid, provider);
    if (state.turns.get(index)?.p === provider) return;
    this.#remember(state, index, { p: provider });
    if (persist) this.#store?.save(key, [[index, { p: provider }]]);
  }

  /** Records what a translated answer carried: its reasoning and its tool calls' signatures. */
  answered(
    headers: Headers,
    body: Json,
    provider: string,
    facts: AnswerFacts,
    request?: MemoHolder,
  ): void {
    const key = conversationKeyOf(headers, body, request);
    if (!key) return;
    const state = this.#state(key);
    const index = answerIndex(body);
    const rc = facts.reasoning && facts.reasoning.length <= MAX_STORED_REASONING
      ? facts.reasoning
      : undefined;
    const turn: TurnRecord = rc ? { p: provider, rc } : { p: provider };
    const calls = facts.calls.map((c) =>
      [c.id, c.signature ? { p: provider, ts: c.signature } : { p: provider }] as const
    );
    const before = state.turns.get(index);
    const same = before?.p === provider && before.rc === turn.rc &&
      calls.every(([id, call]) => state.calls.has(id) && state.calls.get(id)!.ts === call.ts);
    this.#remember(state, index, turn);
    for (const [id, call] of calls) state.calls.set(id, call);
    // The same answer again (a client retry, a replayed body): nothing new to write.
    if (!same) this.#store?.save(key, [[index, turn]], calls);
  }

  /** Who produced each assistant turn of this request's history, as this instance saw it. */
  producers(
    headers: Headers,
    body: Json,
    request?: MemoHolder,
  ): ((index: number) => string | undefined) | undefined {
    const key = conversationKeyOf(headers, body, request);
    const state = key ? this.#states.get(key) : undefined;
    return state ? (index) => state.turns.get(index)?.p : undefined;
  }

  /**
   * What is known about this request's history, reading the store once when the history holds
   * turns that matter to repair and that this instance has not seen (nor looked up before).
   */
  async recall(
    headers: Headers,
    body: Json,
    request?: MemoHolder,
  ): Promise<ConversationView | undefined> {
    const key = conversationKeyOf(headers, body, request);
    if (!key) return undefined;
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const state = this.#state(key);
    const unknown = messages.some((m, i) =>
      i >= state.checked && !state.turns.has(i) && mattersToRepair(m)
    );
    if (unknown && this.#store) {
      state.checked = messages.length;
      try {
        const record = await this.#store.load(key);
        for (const [index, turn] of record.turns) this.#remember(state, index, turn);
        for (const [id, call] of record.calls) state.calls.set(id, call);
      } catch (err) {
        this.#onError(err);
      }
    }
    return {
      producerOf: (index) => state.turns.get(index)?.p,
      turn: (index) => state.turns.get(index),
      call: (id) => state.calls.get(id),
    };
  }

  /** Waits for the store writes in flight. */
  flush(): Promise<void> {
    return this.#store?.flush() ?? Promise.resolve();
  }

  /** The provider this session was last served by. */
  stickyProvider(sessionId: string): string | undefined {
    return this.#sticky.get(sessionId);
  }

  /** Lets a session go back to chain order. */
  forgetSticky(sessionId: string): void {
    this.#sticky.delete(sessionId);
  }

  /** Notes that `provider` was seen failing. */
  markUnhealthy(provider: string, now = Date.now()): void {
    this.#unhealthy.set(provider, now);
  }

  /** When `provider` was last seen failing (0 if never). */
  unhealthyAt(provider: string): number {
    return this.#unhealthy.get(provider) ?? 0;
  }

  /** Forgets everything this instance holds in memory. */
  clear(): void {
    this.#states.clear();
    this.#sticky.clear();
    this.#unhealthy.clear();
  }
}
