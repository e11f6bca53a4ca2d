/**
 * Claude Code conversations: which Claude Code session a request belongs to, which provider
 * produced each assistant turn of its conversation, and which provider a failed-over session is
 * staying on. ("Session" here is Claude Code's session id; admin sessions are lib/auth's.)
 *
 * Held in memory per instance (bounded, with a TTL): losing it costs nothing but precision, since
 * Detour-translated thinking carries its producer in its signature anyway and an upstream that
 * still rejects a signature is retried once without thinking.
 */
import type { BodyMemo } from "../fallback/inbound.ts";
import { fnv64 } from "../fingerprint.ts";
import { obj } from "../json_shape.ts";

/** Whose body memo keeps the fingerprint: the request that carries `body`. */
type MemoHolder = { memo?: BodyMemo };

type Json = Record<string, unknown>;

const UUIDISH = /^[0-9A-Za-z-]{8,80}$/;

/**
 * The session id: `x-claude-code-session-id`, else `metadata.user_id` in either form Claude
 * Code has used: the JSON string `{"device_id":…,"account_uuid":…,"session_id":…}` or the legacy
 * `user_<hash>_account_<uuid>_session_<uuid>`.
 */
export function sessionIdOf(headers: Headers, body: Json): string | null {
  const header = headers.get("x-claude-code-session-id")?.trim();
  if (header && UUIDISH.test(header)) return header;
  const userId = obj(body.metadata)?.user_id;
  if (typeof userId !== "string" || userId === "") return null;
  if (userId.startsWith("{")) {
    try {
      const parsed = JSON.parse(userId);
      const sid = parsed?.session_id;
      if (typeof sid === "string" && UUIDISH.test(sid)) return sid;
    } catch { /* not JSON after all */ }
    return null;
  }
  const legacy = userId.match(/_session_([0-9A-Za-z-]{8,80})$/);
  return legacy ? legacy[1] : null;
}

/**
 * One conversation within a session: a session runs several (the main loop, sub-agents, title
 * requests), told apart by their first message; `/compact` starts a new one the same way.
 */
export function historyKey(sessionId: string, body: Json, request?: MemoHolder): string {
  // Asked twice per request (before sending, after the answer): fingerprint the body once.
  let hash = request?.memo?.firstMessageHash;
  if (hash === undefined) {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const parts: string[] = [];
    sampleValue(messages[0], parts);
    hash = fnv64(parts.join("\u0000"));
    if (request) (request.memo ??= {}).firstMessageHash = hash;
  }
  return `${sessionId}:${hash}`;
}

/** Characters kept from each end of a long string in a first-message fingerprint. */
const SAMPLE_ENDS = 256;

/**
 * Collects a fingerprint of `value`: its keys, its short values whole and each long string's
 * length and ends. Claude Code's first message can run to tens of KiB; re-serializing it per
 * request cost more than the rest of the repair step, and the ends (the user's own prompt comes
 * last) tell conversations apart as well as the whole.
 */
function sampleValue(value: unknown, parts: string[]): void {
  if (typeof value === "string") {
    parts.push(
      value.length <= 2 * SAMPLE_ENDS
        ? value
        : `${value.length}:${value.slice(0, SAMPLE_ENDS)}${value.slice(-SAMPLE_ENDS)}`,
    );
  } else if (Array.isArray(value)) {
    parts.push(`[${value.length}`);
    for (const item of value) sampleValue(item, parts);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      parts.push(k);
      sampleValue(v, parts);
    }
  } else parts.push(String(value));
}

/** Index the answer to this request will have in the history (a prefill continues the last). */
export function answerIndex(body: Json): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return obj(messages.at(-1))?.role === "assistant" ? messages.length - 1 : messages.length;
}

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

/**
 * What Detour remembers about Claude Code conversations, per app (lib/deps.ts `conversations`).
 * `request` arguments are the request that carries `body`: its memo keeps the body's
 * fingerprint, so one body is fingerprinted once.
 */
export class ConversationBook {
  /** history key -> assistant message index -> provider id. */
  #producers: Lru<Map<number, string>>;
  /** session id -> the provider a failed-over session stays on. */
  #sticky: Lru<string>;
  /** provider id -> when it was last seen failing. */
  #unhealthy = new Map<string, number>();

  constructor(max = 20_000, ttlMs = 12 * 3600_000) {
    this.#producers = new Lru(max, ttlMs);
    this.#sticky = new Lru(max, ttlMs);
  }

  /** Notes that `provider` answered this request (2xx). */
  served(headers: Headers, body: Json, provider: string, request?: MemoHolder): void {
    const sid = sessionIdOf(headers, body);
    if (!sid) return;
    const key = historyKey(sid, body, request);
    let turns = this.#producers.get(key);
    if (!turns) turns = new Map();
    turns.set(answerIndex(body), provider);
    this.#producers.set(key, turns);
    this.#sticky.set(sid, provider);
  }

  /** Who produced each assistant turn of this request's history, as far as Detour saw. */
  producers(
    headers: Headers,
    body: Json,
    request?: MemoHolder,
  ): ((index: number) => string | undefined) | undefined {
    const sid = sessionIdOf(headers, body);
    if (!sid) return undefined;
    const turns = this.#producers.get(historyKey(sid, body, request));
    return turns ? (index) => turns.get(index) : undefined;
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

  /** Forgets everything. */
  clear(): void {
    this.#producers.clear();
    this.#sticky.clear();
    this.#unhealthy.clear();
  }
}
