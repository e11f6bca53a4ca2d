/**
 * Fields of `type: "openai"` providers (OpenAI Chat Completions upstreams), plus the history
 * repair fields every provider type honours (`maxOutputTokens`, `textOnly`, `toolSchema`).
 * See docs/translation.md for what each one changes on the wire.
 */
import * as z from "zod";

/** How a provider takes Anthropic's `thinking` setting. */
export const REASONING_MODES = [
  /** Dropped: the target has no reasoning switch (or picks it by model name). */
  "none",
  /** `reasoning_effort: low|medium|high` (OpenAI, Groq, Gemini, Ollama). */
  "reasoning_effort",
  /** `reasoning: {max_tokens}` / `{enabled: true}` (OpenRouter). */
  "openrouter",
  /** `thinking: {type: "enabled"|"disabled"}` (Z.AI's and DeepSeek's OpenAI endpoints). */
  "thinking",
] as const;

/** How this provider's own earlier reasoning goes back to it in the history. */
export const REASONING_HISTORY = ["drop", "reasoning_content", "reasoning"] as const;

/** Tool JSON schema dialects: `full` sends schemas as written; `gemini` reduces them. */
export const TOOL_SCHEMA_DIALECTS = ["full", "gemini"] as const;

const fieldName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "not a request field name");

/** Extra provider fields for OpenAI-compatible upstreams and for history repair. */
export const openaiFields = {
  /** Top-level OpenAI request fields removed before sending (fields the target rejects). */
  dropFields: z.array(fieldName).max(50).optional(),
  /** Where Anthropic's `thinking` goes. Default `none`. */
  reasoning: z.enum(REASONING_MODES).optional(),
  /** Thinking produced by this provider, sent back to it: dropped by default. */
  reasoningHistory: z.enum(REASONING_HISTORY).optional(),
  /** `max_tokens` (default) or `max_completion_tokens` (OpenAI's newer models). */
  maxTokensField: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  /** Keep Anthropic `cache_control` marks on content parts (OpenRouter honours them). */
  keepCacheControl: z.boolean().optional(),
  /** Every type: `max_tokens` above this is clamped (overrides the built-in model table). */
  maxOutputTokens: z.number().int().min(1).max(10_000_000).optional(),
  /** Every type: images and PDFs are replaced by a short text note. */
  textOnly: z.boolean().optional(),
  /** Every type: reduce tool schemas to what the target accepts. Default `full`. */
  toolSchema: z.enum(TOOL_SCHEMA_DIALECTS).optional(),
  /**
   * Sends `thinking: {type: "enabled"|"disabled"}` on every request whatever the client asked
   * (DeepSeek V4 and Z.AI document this switch; V4 thinks unless told not to). Left out: the
   * `reasoning` mode decides.
   */
  thinkingMode: z.enum(["on", "off"]).optional(),
} satisfies z.ZodRawShape;

/** Fields that hold secrets. */
export const openaiSecrets: readonly string[] = [];

/** Type-specific checks (runs for every provider; look at `provider.type`). */
export function refineOpenai(provider: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (provider.type === "openai") return;
  for (
    const field of [
      "dropFields",
      "reasoning",
      "reasoningHistory",
      "maxTokensField",
      "keepCacheControl",
      "thinkingMode",
    ]
  ) {
    if (provider[field] !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `${field} applies to type "openai" providers only`,
        path: [field],
      });
    }
  }
}
