/** zod pieces for the plain rules of rules.ts (kept apart so rules.ts stays zod-free). */
import * as z from "zod";
import type { Range } from "./rules.ts";

/** A whole number within `range`. */
export const intIn = (range: Range) => z.number().int().min(range.min).max(range.max);

/** Any number within `range` (percentages). */
export const numberIn = (range: Range) => z.number().min(range.min).max(range.max);

/**
 * Refinement options for a value that can never be sent (a control character in a key, token or
 * header value). The mark lets a stored config holding one, written before the check existed,
 * still load without it (lib/config/issues.ts).
 */
export const unsendable = (message: string) => ({ message, params: { unsendable: true } });

/** True for an issue raised with `unsendable`. */
export const isUnsendable = (issue: z.core.$ZodIssue): boolean =>
  issue.code === "custom" && issue.params?.unsendable === true;
