/**
 * Which Claude Code conversation a request belongs to: its session id and a fingerprint of its
 * first message that stays the same for the whole conversation. ("Session" here is Claude
 * Code's session id; admin sessions are lib/auth's.)
 */
import type { BodyMemo } from "../fallback/inbound.ts";
import { fnv64 } from "../fingerprint.ts";
import { obj } from "../json_shape.ts";

/** Whose body memo keeps the fingerprint: the request that carries `body`. */
export type MemoHolder = { memo?: BodyMemo };

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
 * requests), told apart by their first message; `/compact` starts a new one the same way. The
 * system prompt is never part of it (Claude Code edits it between turns), nor are the markers
 * Claude Code moves from turn to turn (`cache_control` follows the last message).
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

/** The conversation key of a request, or null when it carries no Claude Code session id. */
export function conversationKeyOf(
  headers: Headers,
  body: Json,
  request?: MemoHolder,
): string | null {
  const sid = sessionIdOf(headers, body);
  return sid ? historyKey(sid, body, request) : null;
}

/** Keys a client moves or rewrites between turns without changing the conversation. */
const VOLATILE_KEYS = new Set(["cache_control"]);

/** Characters kept from each end of a long string in a first-message fingerprint. */
const SAMPLE_ENDS = 256;

/**
 * Collects a fingerprint of `value`: its keys, its short values whole and each long string's
 * length and ends, skipping volatile markers. Claude Code's first message can run to tens of
 * KiB; re-serializing it per request cost more than the rest of the repair step, and the ends
 * (the user's own prompt comes last) tell conversations apart as well as the whole.
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
      if (VOLATILE_KEYS.has(k)) continue;
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
