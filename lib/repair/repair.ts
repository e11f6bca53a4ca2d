/**
 * Cross-provider history repair: a pure function from an Anthropic Messages body and the
 * provider it is about to go to, to the body that provider will accept, plus a list of what
 * changed (logged with the request id). It copies only what it changes: a request that needs
 * nothing comes back as the same object, so its bytes are sent unchanged.
 *
 * Who produced a thinking block or tool id: Detour-translated thinking carries
 * `detour.v1.<provider>` as its signature; everything else comes from the session record
 * (lib/repair/conversation.ts); with neither, an unmarked block is taken to be the Anthropic-wire
 * target's own.
 */
import { signatureProvider } from "../translate/signature.ts";
import { fnv64 } from "../fingerprint.ts";
import { obj } from "../json_shape.ts";
import { reduceSchemaForGemini } from "./schema.ts";
import type { ConversationView } from "./conversation.ts";
import {
  type ReplayCounts,
  replayCounts,
  replayNotes,
  type ReplayTarget,
  replayTurn,
} from "./replay.ts";

type Json = Record<string, unknown>;

/** The provider a request is about to go to, as the repair sees it. */
export interface RepairTarget extends ReplayTarget {
  id: string;
  /** `anthropic`: anthropic, bedrock, vertex (Anthropic wire); `openai`: translated. */
  family: "anthropic" | "openai";
  /** Resolved output limit (provider override or model table). */
  maxOutputTokens?: number;
  textOnly?: boolean;
  toolSchema?: "full" | "gemini";
}

export interface RepairContext {
  target: RepairTarget;
  /** Producer of the assistant message at an index, from the session record. */
  producerOf?: (index: number) => string | undefined;
  /** What the conversation record holds (producers, reasoning, thought signatures). */
  view?: ConversationView;
  /** Remove every thinking block (after an upstream rejected a signature). */
  stripAllThinking?: boolean;
}

export interface RepairResult {
  body: Json;
  repairs: string[];
}

const ANTHROPIC_TOOL_ID = /^toolu_[A-Za-z0-9_-]+$/;
const MAX_ID = 40;

/** A tool id in Anthropic's `toolu_…` form, the same for the same input every time. */
export function anthropicToolId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9_-]/g, "_");
  const changed = clean !== id || clean.length > MAX_ID || clean === "";
  return `toolu_${clean.slice(0, MAX_ID)}${changed ? `_${fnv64(id).slice(0, 12)}` : ""}`;
}

function textNote(what: string, target: string): Json {
  return { type: "text", text: `[${what} omitted: provider "${target}" accepts text only]` };
}

/** The request being repaired: the copy that gets the changes, and what changed. */
interface Draft {
  out: Json;
  changed: boolean;
  repairs: string[];
}

/** Applies every repair that `ctx.target` needs; see the module comment. */
export function repairRequest(body: Json, ctx: RepairContext): RepairResult {
  const draft: Draft = { out: { ...body }, changed: false, repairs: [] };
  const removedFromLast = repairHistory(body, ctx, draft);
  // Endpoints that take a thinking block on every turn got one (replay.ts): they keep thinking.
  const lostThinking = removedFromLast && (!ctx.target.thinkingPassback || ctx.stripAllThinking);
  if (lostThinking || finalTurnLacksThinking(draft.changed ? draft.out : body, ctx.target)) {
    turnThinkingOff(body, ctx.target, draft);
  }
  clampMaxTokens(body, ctx.target, draft);
  reduceToolSchemas(body, ctx.target, draft);
  return draft.changed
    ? { body: draft.out, repairs: draft.repairs }
    : { body, repairs: draft.repairs };
}

/** What the pass over the messages needs and counts. */
interface HistoryPass {
  ctx: RepairContext;
  /** Original tool id -> its `toolu_` form, for the results that answer it. */
  idMap: Map<string, string>;
  lastAssistant: number;
  thinkingRemoved: number;
  removedFromLast: boolean;
  imagesReplaced: number;
  replay: ReplayCounts;
  /** Whether this request thinks (for targets that need a thinking block on each turn). */
  thinkingOn: boolean;
}

/**
 * Repairs every message (foreign thinking, tool ids, text-only content) and notes what changed;
 * returns whether thinking was removed from the last assistant turn.
 */
function repairHistory(body: Json, ctx: RepairContext, draft: Draft): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const pass: HistoryPass = {
    ctx,
    idMap: new Map(),
    lastAssistant: -1,
    thinkingRemoved: 0,
    removedFromLast: false,
    imagesReplaced: 0,
    replay: replayCounts(),
    thinkingOn: obj(body.thinking)?.type !== "disabled",
  };
  messages.forEach((m, i) => {
    if (obj(m)?.role === "assistant") pass.lastAssistant = i;
  });
  const newMessages: unknown[] = [];
  let changed = false;
  messages.forEach((message, i) => {
    const next = repairMessage(message, i, pass);
    if (next !== message) changed = true;
    if (next !== null) newMessages.push(next);
  });
  if (changed) {
    draft.out.messages = newMessages;
    draft.changed = true;
  }
  if (pass.thinkingRemoved) {
    draft.repairs.push(
      `removed ${pass.thinkingRemoved} thinking block(s) ${
        ctx.stripAllThinking ? "after a signature was rejected" : "produced by another provider"
      }`,
    );
  }
  const ids = pass.idMap.size;
  if (ids) draft.repairs.push(`rewrote ${ids} tool id(s) to the toolu_ form`);
  const images = pass.imagesReplaced;
  if (images) draft.repairs.push(`replaced ${images} image(s)/document(s) with a note`);
  draft.repairs.push(...replayNotes(pass.replay));
  return pass.removedFromLast;
}

/** One message repaired: the same object when nothing changed, or null when nothing is left. */
function repairMessage(message: unknown, i: number, pass: HistoryPass): unknown {
  const m = obj(message);
  if (!m || !Array.isArray(m.content)) return message;
  const content = m.content as unknown[];
  if (m.role === "assistant") {
    const { target, view } = pass.ctx;
    const producer = (view?.producerOf ?? pass.ctx.producerOf)?.(i);
    let next = dropForeignThinking(content, i, producer, pass);
    if (target.family === "anthropic" && producer !== target.id) {
      next = rewriteToolIds(next, pass.idMap);
    }
    if (!pass.ctx.stripAllThinking) {
      next = replayTurn(
        next,
        i,
        producer,
        { target, view, thinkingOn: pass.thinkingOn },
        pass.replay,
      );
    }
    // Nothing left of this turn (it held only thinking): the turn goes.
    if (next.length === 0) return null;
    return next === content ? message : { ...m, content: next };
  }
  if (m.role === "user") {
    const next = repairUserContent(content, pass);
    return next === content ? message : { ...m, content: next };
  }
  return message;
}

/** Thinking blocks another provider produced (or all, after a rejected signature) removed. */
function dropForeignThinking(
  content: unknown[],
  i: number,
  producer: string | undefined,
  pass: HistoryPass,
): unknown[] {
  const { target, stripAllThinking } = pass.ctx;
  const kept = content.filter((block) => {
    const b = obj(block);
    if (!b || (b.type !== "thinking" && b.type !== "redacted_thinking")) return true;
    const by = signatureProvider(b.signature) ?? producer;
    const foreign = stripAllThinking ||
      (target.family === "openai" ? by !== target.id : by !== undefined && by !== target.id);
    if (foreign) {
      pass.thinkingRemoved++;
      if (i === pass.lastAssistant) pass.removedFromLast = true;
    }
    return !foreign;
  });
  return kept.length === content.length ? content : kept;
}

/** Tool ids not in Anthropic's `toolu_` form rewritten (recorded in `idMap` for the results). */
function rewriteToolIds(content: unknown[], idMap: Map<string, string>): unknown[] {
  let touched = false;
  const next = content.map((block) => {
    const b = obj(block);
    if (b?.type !== "tool_use" || typeof b.id !== "string" || ANTHROPIC_TOOL_ID.test(b.id)) {
      return block;
    }
    const id = idMap.get(b.id) ?? anthropicToolId(b.id);
    idMap.set(b.id, id);
    touched = true;
    return { ...b, id };
  });
  return touched ? next : content;
}

/** A user turn's tool results pointed at rewritten ids; images and documents made notes. */
function repairUserContent(content: unknown[], pass: HistoryPass): unknown[] {
  const { target } = pass.ctx;
  let touched = false;
  const next = content.map((block) => {
    const b = obj(block);
    if (!b) return block;
    if (b.type === "tool_result") {
      const result = repairToolResult(b, pass);
      if (result !== b) touched = true;
      return result;
    }
    if (target.textOnly && (b.type === "image" || b.type === "document")) {
      pass.imagesReplaced++;
      touched = true;
      return textNote(b.type, target.id);
    }
    return block;
  });
  return touched ? next : content;
}

/** One tool_result: its id mapped, and for a text-only target its images made notes. */
function repairToolResult(b: Json, pass: HistoryPass): Json {
  const { target } = pass.ctx;
  let next = b;
  const mapped = typeof b.tool_use_id === "string" ? pass.idMap.get(b.tool_use_id) : undefined;
  if (mapped) next = { ...next, tool_use_id: mapped };
  if (target.textOnly && Array.isArray(b.content)) {
    const inner = (b.content as unknown[]).map((c) => {
      const t = obj(c)?.type;
      if (t !== "image" && t !== "document") return c;
      pass.imagesReplaced++;
      return textNote(t, target.id);
    });
    if (inner.some((c, k) => c !== (b.content as unknown[])[k])) {
      next = { ...next, content: inner };
    }
  }
  return next;
}

/**
 * Whether the request continues a tool loop whose last assistant turn does not start with
 * thinking (another provider's turn, or one answered with thinking off): with thinking on,
 * Anthropic refuses it (400, "a final `assistant` message must start with a thinking block",
 * https://docs.claude.com/en/docs/build-with-claude/extended-thinking).
 */
function finalTurnLacksThinking(body: Json, target: RepairTarget): boolean {
  if (target.family !== "anthropic" || target.thinkingPassback) return false;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = obj(messages.at(-1));
  const lastContent = last?.role === "user" && Array.isArray(last.content) ? last.content : [];
  if (!lastContent.some((b) => obj(b)?.type === "tool_result")) return false;
  const turn = obj(messages.at(-2));
  if (turn?.role !== "assistant" || !Array.isArray(turn.content)) return false;
  const first = obj(turn.content[0])?.type;
  return first !== "thinking" && first !== "redacted_thinking";
}

/**
 * Anthropic requires the last assistant turn of a tool loop to start with its thinking when
 * thinking is on; once that thinking is gone (or was never there: another provider's turn),
 * this request goes with thinking disabled, said explicitly (an upstream whose default is
 * thinking on would otherwise still think).
 */
function turnThinkingOff(body: Json, target: RepairTarget, draft: Draft) {
  const thinking = obj(body.thinking);
  if (
    target.family !== "anthropic" ||
    (thinking?.type !== "enabled" && thinking?.type !== "adaptive")
  ) return;
  const { out } = draft;
  out.thinking = { type: "disabled" };
  const cm = obj(body.context_management);
  if (cm && Array.isArray(cm.edits)) {
    const edits = cm.edits.filter((e) => !String(obj(e)?.type ?? "").startsWith("clear_thinking"));
    if (edits.length) out.context_management = { ...cm, edits };
    else delete out.context_management;
  }
  draft.changed = true;
  draft.repairs.push("turned thinking off for this request (its last turn has no valid thinking)");
}

/** `max_tokens` over the target's output limit clamped, and the thinking budget below it. */
function clampMaxTokens(body: Json, target: RepairTarget, draft: Draft) {
  const limit = target.maxOutputTokens;
  if (limit === undefined || typeof body.max_tokens !== "number" || body.max_tokens <= limit) {
    return;
  }
  const { out } = draft;
  out.max_tokens = limit;
  draft.changed = true;
  draft.repairs.push(`clamped max_tokens ${body.max_tokens} -> ${limit}`);
  const t = obj(out.thinking);
  if (t?.type === "enabled" && typeof t.budget_tokens === "number" && t.budget_tokens >= limit) {
    if (limit - 1 >= 1024) out.thinking = { ...t, budget_tokens: limit - 1 };
    else delete out.thinking;
    draft.repairs.push("lowered the thinking budget below max_tokens");
  }
}

/** Tool input schemas reduced to the subset Gemini accepts. */
function reduceToolSchemas(body: Json, target: RepairTarget, draft: Draft) {
  if (target.toolSchema !== "gemini" || !Array.isArray(body.tools)) return;
  draft.out.tools = body.tools.map((tool) => {
    const t = obj(tool);
    return t && t.input_schema
      ? { ...t, input_schema: reduceSchemaForGemini(t.input_schema) }
      : tool;
  });
  draft.changed = true;
  draft.repairs.push("reduced tool schemas for Gemini");
}
