/** Server-rendered admin HTML: a Preact tree as a full document. */
import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";

/** A Preact page as an HTML reply. */
export function html(c: Context, vnode: VNode, status: 200 | 401 | 403 | 429 | 503 = 200) {
  return c.html(`<!doctype html>${renderToString(vnode)}`, status);
}
