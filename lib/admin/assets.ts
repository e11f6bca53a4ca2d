/**
 * The admin page's static files: the stylesheet, joined from each island's CSS in static/css/,
 * and the island bundle that `deno task build` writes to static/build/. Read once, served with a
 * content hash so browsers may cache them for good.
 */
// Two levels up from this module: lib/admin/ in the source, build/server/ (the chunk holding this
// code) in the bundle `deno task start` runs, so both find the repository's static/
// (tests/cold_start_test.ts serves the files from the bundle).
const STATIC = new URL("../../static/", import.meta.url);

/**
 * The stylesheet's parts, in cascade order: the frame and shared pieces first, then one file per
 * island (a later rule wins a tie, so the order is part of the design).
 */
export const CSS_PARTS = [
  "base.css",
  "parts.css",
  "chain.css",
  "access_keys.css",
  "connect.css",
  "import_export.css",
  "save_bar.css",
  "login.css",
  "request_log.css",
  "settings.css",
  "dashboard.css",
  "limits.css",
].map((name) => `css/${name}`);

/** The files the admin page may load, by public name: one file, or several joined in order. */
const FILES: Record<string, { paths: string[]; type: string }> = {
  "admin.css": { paths: CSS_PARTS, type: "text/css; charset=utf-8" },
  "admin.js": { paths: ["build/admin.js"], type: "text/javascript; charset=utf-8" },
  "admin.js.map": { paths: ["build/admin.js.map"], type: "application/json; charset=utf-8" },
};

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** First 12 hex digits of its SHA-256: the `?v=` in links, and the ETag. */
  hash: string;
}

// A cache of immutable data: the files do not change while Detour runs (a missing one is retried).
const cache = new Map<string, Promise<Asset | null>>();

/** The files joined, each ending in a newline so no rule runs into the next file's first. */
async function join(paths: string[]): Promise<Uint8Array<ArrayBuffer>> {
  if (paths.length === 1) return await Deno.readFile(new URL(paths[0], STATIC));
  const texts = await Promise.all(paths.map((p) => Deno.readTextFile(new URL(p, STATIC))));
  return new TextEncoder().encode(texts.map((t) => t.endsWith("\n") ? t : `${t}\n`).join(""));
}

async function read(name: string): Promise<Asset | null> {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!file) return null;
  try {
    const body = await join(file.paths);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    const hash = Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
    return { body, type: file.type, hash };
  } catch {
    return null;
  }
}

/** An asset by public name, or null (e.g. the bundle before `deno task build`). */
export function asset(name: string): Promise<Asset | null> {
  let hit = cache.get(name);
  if (!hit) {
    hit = read(name);
    cache.set(name, hit);
    // A missing file may appear later (a build after start): do not remember its absence.
    hit.then((a) => a === null && cache.delete(name));
  }
  return hit;
}

/** The versioned URL of an asset, or null when it is missing. */
export async function assetUrl(name: string): Promise<string | null> {
  const a = await asset(name);
  return a ? `/admin/assets/${name}?v=${a.hash}` : null;
}
