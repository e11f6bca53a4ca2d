/** The admin API's error replies and JSON body reading. */
import type { Context } from "hono";

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
