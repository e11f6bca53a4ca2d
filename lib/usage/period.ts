/** Quota periods in UTC: the start of the one that holds a time, and when it resets. */
import { type Quota, WEEK_DAYS } from "../config/fields/usage.ts";

const DAY = 86_400_000;

/** `[start, end)` of the quota period holding `now` (ms since the epoch, UTC). */
export function periodOf(quota: Pick<Quota, "period" | "weekStartsOn">, now: number): {
  start: number;
  end: number;
} {
  const dayStart = Math.floor(now / DAY) * DAY;
  if (quota.period === "day") return { start: dayStart, end: dayStart + DAY };
  if (quota.period === "week") {
    const weekday = new Date(dayStart).getUTCDay();
    const first = WEEK_DAYS.indexOf(quota.weekStartsOn);
    const start = dayStart - ((weekday - first + 7) % 7) * DAY;
    return { start, end: start + 7 * DAY };
  }
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, end };
}
