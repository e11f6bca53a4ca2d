/**
 * The admin stylesheet is one response joined from each island's CSS in static/css/ (in cascade
 * order), versioned and cached like every asset, under the admin page's security headers.
 */
import assert from "node:assert/strict";
import { CSS_PARTS } from "../lib/admin/assets.ts";
import { startDetour } from "./helpers/harness.ts";

const STATIC = new URL("../static/", import.meta.url);

Deno.test("admin.css joins every island's CSS file in order, cached, with the CSP", async () => {
  const detour = await startDetour({
    providers: [{ id: "a", type: "anthropic", baseUrl: "https://api.anthropic.com" }],
  });
  try {
    // Every CSS file in static/css/ is part of the stylesheet: none is forgotten.
    const onDisk = [...Deno.readDirSync(new URL("css/", STATIC))]
      .filter((e) => e.name.endsWith(".css")).map((e) => `css/${e.name}`).sort();
    assert.deepEqual([...CSS_PARTS].sort(), onDisk);

    const login = await (await fetch(`${detour.url}/admin/login`)).text();
    const links = login.match(/<link rel="stylesheet" href="[^"]+"/g) ?? [];
    assert.equal(links.length, 1, "one stylesheet link");
    const url = links[0].match(/href="(\/admin\/assets\/admin\.css\?v=([0-9a-f]{12}))"/)!;

    const res = await fetch(`${detour.url}${url[1]}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("etag"), `"${url[2]}"`);
    assert.match(res.headers.get("content-security-policy")!, /style-src 'self'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const css = await res.text();
    let at = -1;
    for (const part of CSS_PARTS) {
      const text = await Deno.readTextFile(new URL(part, STATIC));
      const found = css.indexOf(text);
      assert.ok(found > at, `${part} is in the stylesheet, after the one before it`);
      at = found;
    }

    // The content hash is the ETag: a revalidation is a 304 with the same headers.
    const again = await fetch(`${detour.url}/admin/assets/admin.css`, {
      headers: { "if-none-match": `"${url[2]}"` },
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("cache-control"), "no-cache");
    await again.body?.cancel();
  } finally {
    await detour.close();
  }
});
