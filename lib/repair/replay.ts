/**
 * Reasoning state replayed to the provider that needs it, on one assistant turn of the history
 * (after foreign thinking was removed): Gemini's thought signatures on tool calls, recorded
 * reasoning for DeepSeek's `reasoning_content`, and a thinking block on every assistant turn for
 * Anthropic-compatible endpoints that require one when thinking is on (DeepSeek, Kimi). What a
 * turn produced elsewhere gets is what the next provider documents for foreign history.
 */
import { obj } from "../json_shape.ts";
import { detourSignature } from "../translate/signature.ts";
import type { ConversationView } from "./conversation.ts";

type Json = Record<string, unknown>;

/**
 * Google's documented dummy signature for function calls that Gemini did not produce ("How do
 * I transfer history from a different model…", https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const FOREIGN_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

/** What the replay needs to know about the target. */
export interface ReplayTarget {
  id: string;
  /** Gemini (OpenAI-compatible): tool calls carry `extra_content.google.thought_signature`. */
  thoughtSignatures?: boolean;
  /** OpenAI-wire reasoning passback field (DeepSeek: `reasoning_content`). */
  reasoningHistory?: "drop" | "reasoning_content" | "reasoning";
  /** Anthropic-wire endpoint that needs a thinking block on each earlier turn (DeepSeek, Kimi). */
  thinkingPassback?: boolean;
}

/** Counts of what the replay added, for the repair log. */
export interface ReplayCounts {
  signed: number;
  foreignSigned: number;
  reasoningRestored: number;
  placeholders: number;
}

/** A fresh count. */
export function replayCounts(): ReplayCounts {
  return { signed: 0, foreignSigned: 0, reasoningRestored: 0, placeholders: 0 };
}

const isThinking = (b: unknown) => {
  const t = obj(b)?.type;
  return t === "thinking" || t === "redacted_thinking";
};

/**
 * One assistant turn's content with the target's reasoning state replayed (the same array when
 * nothing applies). `producer` is who produced the turn, `thinkingOn` whether this request
 * thinks (DeepSeek and Kimi think unless told not to).
 */
export function replayTurn(
  content: unknown[],
  index: number,
  producer: string | undefined,
  ctx: { target: ReplayTarget; view?: ConversationView; thinkingOn: boolean },
  counts: ReplayCounts,
): unknown[] {
  const { target, view } = ctx;
  let next = content;
  if (target.thoughtSignatures) next = signToolCalls(next, target.id, view, counts);
  if (
    target.reasoningHistory === "reasoning_content" && producer === target.id &&
    !next.some(isThinking)
  ) {
    const rc = view?.turn(index)?.rc;
    if (rc) {
      next = [{ type: "thinking", thinking: rc, signature: detourSignature(target.id) }, ...next];
      counts.reasoningRestored++;
    }
  }
  if (target.thinkingPassback && ctx.thinkingOn && !isThinking(next[0])) {
    const placeholder = { type: "thinking", thinking: "", signature: detourSignature("none") };
    next = [placeholder, ...next];
    counts.placeholders++;
  }
  return next;
}

/**
 * Gemini's thought signatures on the turn's tool calls: each call Gemini signed for this
 * provider gets its own back; a turn whose first call has none (another provider's) gets the
 * documented dummy on it, which is all Gemini validates per step.
 */
function signToolCalls(
  content: unknown[],
  targetId: string,
  view: ConversationView | undefined,
  counts: ReplayCounts,
): unknown[] {
  let first = true;
  let touched = false;
  const next = content.map((block) => {
    const b = obj(block);
    if (b?.type !== "tool_use") return block;
    const recorded = typeof b.id === "string" ? view?.call(b.id) : undefined;
    let signature = recorded?.p === targetId ? recorded.ts : undefined;
    if (signature) counts.signed++;
    else if (first) {
      signature = FOREIGN_THOUGHT_SIGNATURE;
      counts.foreignSigned++;
    }
    first = false;
    if (!signature) return block;
    touched = true;
    return { ...b, extra_content: { google: { thought_signature: signature } } } as Json;
  });
  return touched ? next : content;
}

/** The repair log lines for what the replay added. */
export function replayNotes(counts: ReplayCounts): string[] {
  const notes: string[] = [];
  if (counts.signed) notes.push(`replayed ${counts.signed} Gemini thought signature(s)`);
  if (counts.foreignSigned) {
    notes.push(`gave ${counts.foreignSigned} foreign tool turn(s) Gemini's dummy signature`);
  }
  if (counts.reasoningRestored) {
    notes.push(`restored the reasoning of ${counts.reasoningRestored} turn(s)`);
  }
  if (counts.placeholders) {
    notes.push(`gave ${counts.placeholders} turn(s) without thinking an empty thinking block`);
  }
  return notes;
}
