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

/**
 * True when a browser says the request comes from this origin. Behind a TLS-terminating proxy
 * the request URL may say http while the browser's Origin says https: the host must match, and
 * the scheme must match the URL or `x-forwarded-proto`.
 */
export function sameOrigin(req: Request): boolean {
  const url = new URL(req.url);
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    let o: URL;
    try {
      o = new URL(origin);
    } catch {
      return false;
    }
    const forwarded = req.headers.get("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
    const host = req.headers.get("x-forwarded-host")?.split(",")[0].trim() ?? url.host;
    return (o.host === url.host || o.host === host) &&
      (o.protocol === url.protocol || (forwarded !== undefined && o.protocol === `${forwarded}:`));
  }
  // The admin pages send `Referrer-Policy: no-referrer`, under which browsers send
  // `Origin: null` on their own same-origin POSTs; the fetch metadata header (which a page
  // cannot set) still tells where the request came from. No Origin and no Sec-Fetch-Site: not a
  // browser we can vouch for (scripts use the Bearer token instead).
  return req.headers.get("sec-fetch-site") === "same-origin";
}
