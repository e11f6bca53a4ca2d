/** zod number schemas for the ranges in rules.ts (kept apart so rules.ts stays zod-free). */
import { z } from "zod";
import type { Range } from "./rules.ts";

/** A whole number within `range`. */
export const intIn = (range: Range) => z.number().int().min(range.min).max(range.max);

/** Any number within `range` (percentages). */
export const numberIn = (range: Range) => z.number().min(range.min).max(range.max);
