/** Gives every request an id (`c.get("requestId")`) and every response its `x-request-id`. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

/**
 * Hono's requestId middleware sets the header before the handler runs, which is lost when a
 * handler returns its own Response (as the proxy routes do); this sets it afterwards.
 */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = `req_${crypto.randomUUID().replaceAll("-", "")}`;
  c.set("requestId", id);
  await next();
  try {
    c.res.headers.set("x-request-id", id);
  } catch {
    // Immutable headers (a Response.redirect): rebuild the response around them.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("x-request-id", id);
  }
};
