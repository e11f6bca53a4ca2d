/** The admin API's error replies and JSON body reading. */
import type { Context, MiddlewareHandler } from "hono";
import { KvUnavailableError } from "../../lib/store/kv_timeout.ts";

/** One invalid field: where, and what is wrong. */
export interface Issue {
  path: string;
  message: string;
}

/** An Anthropic-shaped error reply (`issues` lists invalid fields). */
export function apiError(
  c: Context,
  status: 400 | 401 | 404 | 409 | 412 | 413,
  message: string,
  issues?: Issue[],
) {
  const type = status === 401
    ? "authentication_error"
    : status === 404
    ? "not_found_error"
    : "invalid_request_error";
  return c.json({ type: "error", error: { type, message, ...(issues ? { issues } : {}) } }, status);
}

/**
 * The 503 an admin call gets when KV cannot be reached (disk full, database locked, no answer
 * in time): the cause in words, JSON like every other admin error, never a stack trace.
 */
export function kvUnavailable(c: Context, err: KvUnavailableError) {
  c.header("retry-after", "5");
  return c.json({
    type: "error",
    error: {
      type: "kv_unavailable",
      message:
        `Detour cannot reach its database: ${err.message}. The proxy keeps serving; retry once the database is back (the change may not have been saved).`,
    },
  }, 503);
}

/** A zod issue path as dotted text. */
export const pathOf = (path: PropertyKey[]) => path.map(String).join(".");

/** The request body as JSON, or the 400 reply to send. */
export async function readJson(c: Context): Promise<unknown | Response> {
  try {
    return await c.req.json();
  } catch {
    return apiError(c, 400, "the request body is not valid JSON");
  }
}

/** Turns a KV failure anywhere below into the 503 above (other errors go on to the app's handler). */
export const kvTrouble: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.error instanceof KvUnavailableError) c.res = kvUnavailable(c, c.error);
};
