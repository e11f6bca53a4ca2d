/** Config fields for usage quotas and the request log (issue 6). */
import { z } from "zod";

/** Day names a quota week may start on (index = UTC day of the week). */
export const WEEK_DAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

/**
 * A token budget: past `thresholdPercent` of `tokens` in the current period (UTC days, weeks
 * starting on `weekStartsOn`, calendar months) the provider is skipped like a cooling one until
 * the period resets. `perKey` gives each stored key this budget instead of the whole provider.
 */
export const QuotaSchema = z.object({
  tokens: z.number().int().min(1).max(1e15),
  period: z.enum(["day", "week", "month"]).default("day"),
  weekStartsOn: z.enum(WEEK_DAYS).default("monday"),
  thresholdPercent: z.number().min(1).max(100).default(90),
  perKey: z.boolean().default(false),
}).strict();

export type Quota = z.infer<typeof QuotaSchema>;

/** The admin request log: entries kept (7 days at most), and opt-in debug body capture. */
export const RequestLogSchema = z.object({
  maxEntries: z.number().int().min(0).max(100_000).default(5000),
  /** Until this time, truncated and redacted request and response bodies are stored too. */
  debugBodiesUntil: z.iso.datetime({ offset: true }).optional(),
  debugBodyBytes: z.number().int().min(256).max(65_536).default(4096),
}).strict();
