/** Config fields for usage quotas and the request log (issue 6). Bounds: lib/config/rules.ts. */
import * as z from "zod";
import { intIn, numberIn } from "../zod_rules.ts";
import { DEFAULTS, LIMITS, QUOTA_PERIODS, WEEK_DAYS } from "../rules.ts";

export { WEEK_DAYS };

/**
 * A token budget: past `thresholdPercent` of `tokens` in the current period (UTC days, weeks
 * starting on `weekStartsOn`, calendar months) the provider is skipped like a cooling one until
 * the period resets. `perKey` gives each stored key this budget instead of the whole provider.
 */
export const QuotaSchema = z.object({
  tokens: intIn(LIMITS.quota.tokens),
  period: z.enum(QUOTA_PERIODS).default(DEFAULTS.quota.period),
  weekStartsOn: z.enum(WEEK_DAYS).default(DEFAULTS.quota.weekStartsOn),
  thresholdPercent: numberIn(LIMITS.quota.thresholdPercent).default(
    DEFAULTS.quota.thresholdPercent,
  ),
  perKey: z.boolean().default(DEFAULTS.quota.perKey),
}).strict();

export type Quota = z.infer<typeof QuotaSchema>;

/** The admin request log: entries kept (7 days at most), and opt-in debug body capture. */
export const RequestLogSchema = z.object({
  maxEntries: intIn(LIMITS.requestLog.maxEntries).default(DEFAULTS.requestLog.maxEntries),
  /** Until this time, truncated and redacted request and response bodies are stored too. */
  debugBodiesUntil: z.iso.datetime({ offset: true }).optional(),
  debugBodyBytes: intIn(LIMITS.requestLog.debugBodyBytes).default(
    DEFAULTS.requestLog.debugBodyBytes,
  ),
}).strict();
