/** GET /admin/assets/:name: the admin page's CSS and script, cached forever when versioned. */
import type { Hono } from "hono";
import { asset } from "../../lib/admin/assets.ts";
import type { AppEnv } from "../../lib/deps.ts";

/** The admin page's static files. */
export function assetRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/assets/:name", async (c) => {
    const a = await asset(c.req.param("name"));
    if (!a) return c.text("not found", 404);
    const versioned = c.req.query("v") === a.hash;
    const etag = `"${a.hash}"`;
    const headers = {
      "content-type": a.type,
      etag,
      "cache-control": versioned ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(a.body, 200, headers);
  });
}
