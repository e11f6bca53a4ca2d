/**
 * CSRF defences for cookie-authenticated admin requests: the request must come from the admin
 * page's own origin (Origin, else Sec-Fetch-Site) and carry the session's CSRF token (or, for
 * the login form, the double-submit token of its cookie). Requests
 * authorised by `Authorization: Bearer` need neither: browsers never add that header by
 * themselves.
 */

/** Methods that change nothing. */
export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The header islands send the session's CSRF token in; forms use the `_csrf` field. */
export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";

/** The value the nearest proxy added to a comma-joined `x-forwarded-*` header (rightmost). */
function lastForwarded(req: Request, name: string): string | undefined {
  const value = req.headers.get(name)?.split(",").at(-1)?.trim().toLowerCase();
  return value ? value : undefined;
}

/**
 * True when a browser says the request comes from this origin. Behind a TLS-terminating proxy
 * the request URL may say http while the browser's Origin says https, and the proxy may pass
 * the public host in `x-forwarded-host`: those headers count only when `trustProxy` says a
 * configured reverse proxy (TRUST_PROXY_HOPS) sets them; directly exposed, any client could
 * claim any host and scheme in them.
 */
export function sameOrigin(req: Request, trustProxy = false): boolean {
  const url = new URL(req.url);
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    let o: URL;
    try {
      o = new URL(origin);
    } catch {
      return false;
    }
    const proto = trustProxy ? lastForwarded(req, "x-forwarded-proto") : undefined;
    const host = trustProxy ? lastForwarded(req, "x-forwarded-host") : undefined;
    return (o.host === url.host || (host !== undefined && o.host === host)) &&
      (o.protocol === url.protocol || (proto !== undefined && o.protocol === `${proto}:`));
  }
  // The admin pages send `Referrer-Policy: no-referrer`, under which browsers send
  // `Origin: null` on their own same-origin POSTs; the fetch metadata header (which a page
  // cannot set) still tells where the request came from. No Origin and no Sec-Fetch-Site: not a
  // browser we can vouch for (scripts use the Bearer token instead).
  return req.headers.get("sec-fetch-site") === "same-origin";
}
