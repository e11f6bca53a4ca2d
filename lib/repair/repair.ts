/**
 * Cross-provider history repair: a pure function from an Anthropic Messages body and the
 * provider it is about to go to, to the body that provider will accept, plus a list of what
 * changed (logged with the request id). It copies only what it changes: a request that needs
 * nothing comes back as the same object, so its bytes are sent unchanged.
 *
 * Who produced a thinking block or tool id: Detour-translated thinking carries
 * `detour.v1.<provider>` as its signature; everything else comes from the session record
 * (lib/repair/session.ts); with neither, an unmarked block is taken to be the Anthropic-wire
 * target's own.
 */
import { signatureProvider } from "../translate/signature.ts";
import { fnv64 } from "../fingerprint.ts";
import { obj } from "../json_shape.ts";
import { reduceSchemaForGemini } from "./schema.ts";

type Json = Record<string, unknown>;

/** The provider a request is about to go to, as the repair sees it. */
export interface RepairTarget {
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

/** Applies every repair that `ctx.target` needs; see the module comment. */
export function repairRequest(body: Json, ctx: RepairContext): RepairResult {
  const repairs: string[] = [];
  const { target } = ctx;
  const out: Json = { ...body };
  let changed = false;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const newMessages: unknown[] = [];
  const idMap = new Map<string, string>();
  let thinkingRemoved = 0;
  let lastAssistant = -1;
  messages.forEach((m, i) => {
    if (obj(m)?.role === "assistant") lastAssistant = i;
  });
  let removedFromLast = false;
  let imagesReplaced = 0;

  messages.forEach((message, i) => {
    const m = obj(message);
    if (!m || !Array.isArray(m.content)) return void newMessages.push(message);
    const producer = ctx.producerOf?.(i);
    let content = m.content as unknown[];
    let touched = false;

    if (m.role === "assistant") {
      const kept = content.filter((block) => {
        const b = obj(block);
        if (!b || (b.type !== "thinking" && b.type !== "redacted_thinking")) return true;
        const by = signatureProvider(b.signature) ?? producer;
        const foreign = ctx.stripAllThinking ||
          (target.family === "openai" ? by !== target.id : by !== undefined && by !== target.id);
        if (foreign) {
          thinkingRemoved++;
          if (i === lastAssistant) removedFromLast = true;
        }
        return !foreign;
      });
      if (kept.length !== content.length) {
        content = kept;
        touched = true;
      }
      if (target.family === "anthropic" && producer !== target.id) {
        content = content.map((block) => {
          const b = obj(block);
          if (b?.type !== "tool_use" || typeof b.id !== "string" || ANTHROPIC_TOOL_ID.test(b.id)) {
            return block;
          }
          const id = idMap.get(b.id) ?? anthropicToolId(b.id);
          idMap.set(b.id, id);
          touched = true;
          return { ...b, id };
        });
      }
      if (content.length === 0) {
        changed = true;
        return; // Nothing left of this turn (it held only thinking).
      }
    } else if (m.role === "user") {
      content = content.map((block) => {
        const b = obj(block);
        if (!b) return block;
        if (b.type === "tool_result") {
          let next = b;
          const mapped = typeof b.tool_use_id === "string" ? idMap.get(b.tool_use_id) : undefined;
          if (mapped) next = { ...next, tool_use_id: mapped };
          if (target.textOnly && Array.isArray(b.content)) {
            const inner = (b.content as unknown[]).map((c) => {
              const t = obj(c)?.type;
              if (t !== "image" && t !== "document") return c;
              imagesReplaced++;
              return textNote(t, target.id);
            });
            if (inner.some((c, k) => c !== (b.content as unknown[])[k])) {
              next = { ...next, content: inner };
            }
          }
          if (next !== b) touched = true;
          return next;
        }
        if (target.textOnly && (b.type === "image" || b.type === "document")) {
          imagesReplaced++;
          touched = true;
          return textNote(b.type, target.id);
        }
        return block;
      });
    }
    if (touched) {
      changed = true;
      newMessages.push({ ...m, content });
    } else newMessages.push(message);
  });

  if (changed) out.messages = newMessages;
  if (thinkingRemoved) {
    repairs.push(
      `removed ${thinkingRemoved} thinking block(s) ${
        ctx.stripAllThinking ? "after a signature was rejected" : "produced by another provider"
      }`,
    );
  }
  if (idMap.size) repairs.push(`rewrote ${idMap.size} tool id(s) to the toolu_ form`);
  if (imagesReplaced) repairs.push(`replaced ${imagesReplaced} image(s)/document(s) with a note`);

  // Anthropic requires the last assistant turn of a tool loop to start with its thinking when
  // thinking is on; once that thinking is gone, this request goes without thinking.
  const thinking = obj(body.thinking);
  if (
    removedFromLast && target.family === "anthropic" &&
    (thinking?.type === "enabled" || thinking?.type === "adaptive")
  ) {
    delete out.thinking;
    const cm = obj(body.context_management);
    if (cm && Array.isArray(cm.edits)) {
      const edits = cm.edits.filter((e) =>
        !String(obj(e)?.type ?? "").startsWith("clear_thinking")
      );
      if (edits.length) out.context_management = { ...cm, edits };
      else delete out.context_management;
    }
    changed = true;
    repairs.push("turned thinking off for this request (its last turn's thinking was removed)");
  }

  const limit = target.maxOutputTokens;
  if (limit !== undefined && typeof body.max_tokens === "number" && body.max_tokens > limit) {
    out.max_tokens = limit;
    changed = true;
    repairs.push(`clamped max_tokens ${body.max_tokens} -> ${limit}`);
    const t = obj(out.thinking);
    if (t?.type === "enabled" && typeof t.budget_tokens === "number" && t.budget_tokens >= limit) {
      if (limit - 1 >= 1024) out.thinking = { ...t, budget_tokens: limit - 1 };
      else delete out.thinking;
      repairs.push("lowered the thinking budget below max_tokens");
    }
  }

  if (target.toolSchema === "gemini" && Array.isArray(body.tools)) {
    out.tools = body.tools.map((tool) => {
      const t = obj(tool);
      return t && t.input_schema
        ? { ...t, input_schema: reduceSchemaForGemini(t.input_schema) }
        : tool;
    });
    changed = true;
    repairs.push("reduced tool schemas for Gemini");
  }

  return changed ? { body: out, repairs } : { body, repairs };
}
