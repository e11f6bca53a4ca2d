/**
 * A provider's capability profile: which Anthropic request fields, content block types and
 * betas its upstream accepts, and how the rest is rewritten or dropped before sending (applied
 * by lib/providers/profile.ts). Every rule left out means "send as is", so an empty profile, or
 * `base: "anthropic"`, sends the client's request untouched.
 *
 * @example
 * ```json
 * { "profile": { "base": "strict", "keepFields": ["output_config"] } }
 * { "profile": { "base": "anthropic" } }
 * { "profile": { "dropFields": ["context_management", "speed"], "cacheControl": "basic" } }
 * ```
 */
import * as z from "zod";
import { PROFILE_BASES, PROFILE_CHOICES as C } from "../profile_rules.ts";

export { PROFILE_BASES };

const fieldName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "not a request field name");
const blockType = z.string().regex(/^[a-z0-9_]{1,64}$/, "not a content block type");
const betaName = z.string().trim().regex(/^[a-z0-9*.-]{1,100}$/, "a beta name");

/** The profile rules; each one optional (left out: the base's rule, else "keep"). */
export const ProfileSchema = z.strictObject({
  /** The built-in profile these rules refine; default: by the base URL's host, else `anthropic`. */
  base: z.enum(PROFILE_BASES).optional(),
  /** Top-level request fields removed before sending (added to the base's). */
  dropFields: z.array(fieldName).max(50).optional(),
  /** Top-level fields sent even though the base drops them. */
  keepFields: z.array(fieldName).max(50).optional(),
  /** Top-level fields outside the core Messages API (`context_management`, `speed`, …). */
  unknownFields: z.enum(C.unknownFields).optional(),
  /** `thinking: {type: "adaptive"}`: sent, made `enabled` with `thinkingBudget`, or dropped. */
  adaptiveThinking: z.enum(C.adaptiveThinking).optional(),
  /** The `budget_tokens` adaptive thinking becomes (default 16000, below `max_tokens`). */
  thinkingBudget: z.number().int().min(1024).max(1_000_000).optional(),
  /** `output_config`: sent, cut to its `effort`, or dropped. */
  outputConfig: z.enum(C.outputConfig).optional(),
  /** `role: "system"` messages inside `messages`: sent, turned into user text, or dropped. */
  systemMessages: z.enum(C.systemMessages).optional(),
  /** Server tools (`web_search_…`, `code_execution_…`: any tool with a `type`): sent or dropped. */
  serverTools: z.enum(C.serverTools).optional(),
  /**
   * `cache_control`: sent as is, without `scope` (`noScope`), cut to `{type}` (`basic`: no
   * `scope`, no `ttl`), or removed everywhere (`drop`).
   */
  cacheControl: z.enum(C.cacheControl).optional(),
  /** Tool definition extras (`defer_loading`, `strict`, `input_examples`, …): sent or dropped. */
  toolExtras: z.enum(C.toolExtras).optional(),
  /** Content block types the upstream takes (others are removed); left out: every type. */
  blockTypes: z.array(blockType).max(50).optional(),
  /** `anthropic-beta` values passed on (`*`: all, empty: none); left out: all. */
  betas: z.array(betaName).max(100).optional(),
});

export type Profile = z.infer<typeof ProfileSchema>;

/** The profile field every provider type takes. */
export const profileFields = {
  /** How requests are fitted to what this upstream accepts (see lib/providers/profile.ts). */
  profile: ProfileSchema.optional(),
} satisfies z.ZodRawShape;
