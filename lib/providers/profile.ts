/**
 * Capability profiles applied: one pure function fits an Anthropic request (body and headers)
 * to what a provider's upstream accepts, and says what it changed. The rules are the provider's
 * `profile` (lib/config/fields/profile.ts) over a built-in base (profile_presets.ts). A provider
 * whose profile is the identity (the Anthropic API) gets `null` from `profileOf`, and its request
 * is never looked at.
 */
import type { Profile } from "../config/fields/profile.ts";
import type { Provider } from "../config/schema.ts";
import { obj } from "../json_shape.ts";
import { baseProfileName, BUILTIN_PROFILES, CORE_FIELDS } from "./profile_presets.ts";

type Json = Record<string, unknown>;

/** A request fitted to a profile: the same objects as given when `changes` is empty. */
export interface Fitted {
  body: Json;
  headers: Headers;
  /** What was changed, one line each (for the log). */
  changes: string[];
}

const DEFAULT_THINKING_BUDGET = 16_000;

const keeps = (rule: string | undefined) => rule === undefined || rule === "keep";

/** True when the rules change nothing (so the request is sent untouched). */
export function isIdentity(p: Profile): boolean {
  return !p.dropFields?.length && p.unknownFields !== "drop" && keeps(p.adaptiveThinking) &&
    keeps(p.outputConfig) && keeps(p.systemMessages) && keeps(p.serverTools) &&
    keeps(p.cacheControl) && keeps(p.toolExtras) && p.blockTypes === undefined &&
    (p.betas === undefined || p.betas.includes("*"));
}

/** The provider's effective rules (its own over its base), or null when they change nothing. */
export function profileOf(provider: Provider): Profile | null {
  const name = baseProfileName(provider);
  const own = provider.profile;
  if (!name && !own) return null;
  const base = name ? BUILTIN_PROFILES[name] : {};
  const merged: Profile = { ...base, ...own };
  const keep = new Set(own?.keepFields ?? []);
  merged.dropFields = [...new Set([...base.dropFields ?? [], ...own?.dropFields ?? []])]
    .filter((f) => !keep.has(f));
  return isIdentity(merged) ? null : merged;
}

/** Fits one request to the rules (pure: the inputs are never changed). */
export function applyProfile(p: Profile, body: Json, headers: Headers): Fitted {
  const changes: string[] = [];
  const out: Json = { ...body };
  fitFields(p, out, changes);
  fitThinking(p, out, changes);
  fitOutputConfig(p, out, changes);
  const counts: Counts = { blocks: new Map(), cache: 0, system: 0 };
  if (Array.isArray(out.messages)) out.messages = fitMessages(p, out.messages, counts);
  if (Array.isArray(out.system)) out.system = fitList(out.system, (b) => fitCache(p, b, counts));
  if (Array.isArray(out.tools)) {
    out.tools = fitTools(p, out.tools, counts, changes);
    // Every tool gone: no empty list (and no choice among none) is sent.
    if ((out.tools as unknown[]).length === 0 && body.tools !== out.tools) {
      delete out.tools;
      delete out.tool_choice;
    }
  }
  describeCounts(p, counts, changes);
  const fittedHeaders = fitBetas(p, headers, changes);
  return changes.length
    ? { body: out, headers: fittedHeaders, changes }
    : { body, headers, changes };
}

/** Top-level fields: the listed drops, and every non-core field when unknown ones go. */
function fitFields(p: Profile, out: Json, changes: string[]): void {
  const keep = new Set(p.keepFields ?? []);
  const drop = new Set(p.dropFields ?? []);
  for (const key of Object.keys(out)) {
    if (key === "model" || keep.has(key)) continue;
    // A field with its own rule is that rule's business.
    const governed = key === "output_config" && p.outputConfig !== undefined;
    if (drop.has(key) || (p.unknownFields === "drop" && !CORE_FIELDS.has(key) && !governed)) {
      delete out[key];
      changes.push(`dropped field ${key}`);
    }
  }
}

function fitThinking(p: Profile, out: Json, changes: string[]): void {
  const thinking = obj(out.thinking);
  if (thinking?.type !== "adaptive" || keeps(p.adaptiveThinking)) return;
  const max = typeof out.max_tokens === "number" ? out.max_tokens : Infinity;
  const budget = Math.min(p.thinkingBudget ?? DEFAULT_THINKING_BUDGET, max - 1);
  if (p.adaptiveThinking === "drop" || budget < 1024) {
    delete out.thinking;
    changes.push("dropped adaptive thinking");
    return;
  }
  out.thinking = { type: "enabled", budget_tokens: budget };
  changes.push(`adaptive thinking -> enabled (budget_tokens ${budget})`);
}

function fitOutputConfig(p: Profile, out: Json, changes: string[]): void {
  const config = obj(out.output_config);
  if (!config || keeps(p.outputConfig)) return;
  const effort = config.effort;
  if (p.outputConfig === "effort" && effort !== undefined) {
    if (Object.keys(config).length === 1) return;
    out.output_config = { effort };
    changes.push("output_config cut to effort");
    return;
  }
  delete out.output_config;
  changes.push("dropped field output_config");
}

interface Counts {
  /** Removed content blocks by type. */
  blocks: Map<string, number>;
  /** `cache_control` marks changed or removed. */
  cache: number;
  /** `role: "system"` messages turned into user text or dropped. */
  system: number;
}

/** `list` with `fit` applied to each object item; the same array when nothing changed. */
function fitList(list: unknown[], fit: (item: Json) => Json | null): unknown[] {
  let changed = false;
  const out: unknown[] = [];
  for (const item of list) {
    const o = obj(item);
    const fitted = o ? fit(o) : item;
    if (fitted !== item) changed = true;
    if (fitted !== null) out.push(fitted);
  }
  return changed ? out : list;
}

/** A block with its `cache_control` fitted (the same block when it needs nothing). */
function fitCache(p: Profile, block: Json, counts: Counts): Json {
  const cc = obj(block.cache_control);
  if (!cc || keeps(p.cacheControl)) return block;
  if (p.cacheControl === "drop") {
    const { cache_control: _, ...rest } = block;
    counts.cache++;
    return rest;
  }
  const extra = p.cacheControl === "basic"
    ? Object.keys(cc).some((k) => k !== "type")
    : "scope" in cc;
  if (!extra) return block;
  const { scope: _scope, ...noScope } = cc;
  counts.cache++;
  return { ...block, cache_control: p.cacheControl === "basic" ? { type: cc.type } : noScope };
}

/** One content block: removed (null) when its type is not taken, else its cache mark fitted. */
function fitBlock(p: Profile, block: Json, counts: Counts): Json | null {
  const type = typeof block.type === "string" ? block.type : "";
  if (p.blockTypes && !p.blockTypes.includes(type)) {
    counts.blocks.set(type, (counts.blocks.get(type) ?? 0) + 1);
    return null;
  }
  let out = fitCache(p, block, counts);
  if (type === "tool_result" && Array.isArray(out.content)) {
    const content = fitList(out.content, (b) => fitBlock(p, b, counts));
    if (content !== out.content) out = { ...out, content };
  }
  return out;
}

/** A message's content fitted; an emptied list keeps a note so the turn stays valid. */
function fitContent(p: Profile, msg: Json, counts: Counts): Json {
  if (!Array.isArray(msg.content)) return msg;
  const content = fitList(msg.content, (b) => fitBlock(p, b, counts));
  if (content === msg.content) return msg;
  return {
    ...msg,
    content: content.length ? content : [{ type: "text", text: "[content omitted]" }],
  };
}

/** Text of a `role: "system"` message, to be told to the model as user text. */
function systemText(msg: Json): string {
  const content = Array.isArray(msg.content)
    ? msg.content.map((b) => obj(b)?.text).filter((t) => typeof t === "string").join("\n")
    : String(msg.content ?? "");
  return `<system>${content}</system>`;
}

/** A user message's content as a block list. */
const blocksOf = (msg: Json): unknown[] =>
  Array.isArray(msg.content) ? msg.content : [{ type: "text", text: String(msg.content ?? "") }];

/**
 * `role: "system"` messages dropped, or told as user text: joined to the user turn before them,
 * else to the next one, else as a user turn of their own (so roles keep alternating).
 */
function fitMessages(p: Profile, messages: unknown[], counts: Counts): unknown[] {
  const out = fitList(messages, (m) => fitContent(p, m, counts));
  if (keeps(p.systemMessages) || !out.some((m) => obj(m)?.role === "system")) return out;
  const merged: unknown[] = [];
  let pending: Json[] = [];
  for (const m of out) {
    const msg = obj(m);
    if (msg?.role === "system") {
      counts.system++;
      if (p.systemMessages === "drop") continue;
      const text = { type: "text", text: systemText(msg) };
      const prev = obj(merged.at(-1));
      if (prev?.role === "user") {
        merged[merged.length - 1] = { ...prev, content: [...blocksOf(prev), text] };
      } else pending.push(text);
      continue;
    }
    if (pending.length && msg?.role === "user") {
      merged.push({ ...msg, content: [...pending, ...blocksOf(msg)] });
      pending = [];
    } else merged.push(m);
  }
  if (pending.length) merged.push({ role: "user", content: pending });
  return merged;
}

/** Keys of a custom tool definition every Anthropic-compatible upstream takes. */
const TOOL_KEYS = new Set(["name", "description", "input_schema", "cache_control", "type"]);

function fitTools(p: Profile, tools: unknown[], counts: Counts, changes: string[]): unknown[] {
  let server = 0, extras = 0;
  const out = fitList(tools, (tool) => {
    const serverTool = typeof tool.type === "string" && tool.type !== "custom";
    if (serverTool && p.serverTools === "drop") {
      server++;
      return null;
    }
    let fitted = fitCache(p, tool, counts);
    if (
      !serverTool && p.toolExtras === "drop" && Object.keys(fitted).some((k) => !TOOL_KEYS.has(k))
    ) {
      extras++;
      fitted = Object.fromEntries(Object.entries(fitted).filter(([k]) => TOOL_KEYS.has(k)));
    }
    return fitted;
  });
  if (server) changes.push(`dropped ${server} server tool(s)`);
  if (extras) changes.push(`removed extra fields from ${extras} tool(s)`);
  return out;
}

function describeCounts(p: Profile, counts: Counts, changes: string[]): void {
  for (const [type, n] of counts.blocks) changes.push(`removed ${n} ${type} block(s)`);
  if (counts.cache) changes.push(`cache_control ${p.cacheControl} on ${counts.cache} mark(s)`);
  if (counts.system) {
    changes.push(
      `${
        p.systemMessages === "drop" ? "dropped" : "moved to user text"
      } ${counts.system} system message(s)`,
    );
  }
}

/** The `anthropic-beta` header cut to the betas the profile lists. */
function fitBetas(p: Profile, headers: Headers, changes: string[]): Headers {
  if (p.betas === undefined || p.betas.includes("*")) return headers;
  const sent = (headers.get("anthropic-beta") ?? "").split(",").map((b) => b.trim())
    .filter(Boolean);
  const allowed = p.betas;
  const kept = sent.filter((b) => allowed.includes(b));
  if (kept.length === sent.length) return headers;
  const out = new Headers(headers);
  if (kept.length) out.set("anthropic-beta", kept.join(","));
  else out.delete("anthropic-beta");
  changes.push(`dropped betas ${sent.filter((b) => !allowed.includes(b)).join(",")}`);
  return out;
}
