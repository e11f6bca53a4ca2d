/** Fields of `type: "bedrock"` and `type: "vertex"` providers, and Claude subscription OAuth. */
import type { z } from "zod";

/** Extra provider fields for the cloud providers and OAuth credentials. */
export const cloudFields = {} satisfies z.ZodRawShape;

/** Fields that hold secrets. */
export const cloudSecrets: readonly string[] = [];

/** Type-specific checks (runs for every provider; look at `provider.type`). */
export function refineCloud(_provider: Record<string, unknown>, _ctx: z.RefinementCtx): void {}
