/** Fields of `type: "openai"` providers (OpenAI Chat Completions upstreams). */
import type { z } from "zod";

/** Extra provider fields for OpenAI-compatible upstreams. */
export const openaiFields = {} satisfies z.ZodRawShape;

/** Fields that hold secrets. */
export const openaiSecrets: readonly string[] = [];

/** Type-specific checks (runs for every provider; look at `provider.type`). */
export function refineOpenai(_provider: Record<string, unknown>, _ctx: z.RefinementCtx): void {}
