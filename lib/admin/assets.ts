/**
 * The admin page's static files: the stylesheet (static/admin.css) and the island bundle that
 * `deno task build` writes to static/build/. Read once, served with a content hash so browsers
 * may cache them for good.
 */
const STATIC = new URL("../../static/", import.meta.url);

/** The files the admin page may load, by public name. */
const FILES: Record<string, { path: string; type: string }> = {
  "admin.css": { path: "admin.css", type: "text/css; charset=utf-8" },
  "admin.js": { path: "build/admin.js", type: "text/javascript; charset=utf-8" },
  "admin.js.map": { path: "build/admin.js.map", type: "application/json; charset=utf-8" },
};

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** First 12 hex digits of its SHA-256: the `?v=` in links, and the ETag. */
  hash: string;
}

const cache = new Map<string, Promise<Asset | null>>();

async function read(name: string): Promise<Asset | null> {
  const file = FILES[name];
  if (!file) return null;
  try {
    const body = await Deno.readFile(new URL(file.path, STATIC));
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
