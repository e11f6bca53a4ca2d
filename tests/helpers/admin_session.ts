/** Logs in to the admin page over HTTP like a browser would (cookies, CSRF tokens, Origin). */

/** The `name=value` of each Set-Cookie, by name. */
export function cookiesOf(res: Response): Map<string, { value: string; raw: string }> {
  const out = new Map<string, { value: string; raw: string }>();
  for (const raw of res.headers.getSetCookie()) {
    const [pair] = raw.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), { value: pair.slice(i + 1), raw });
  }
  return out;
}

/** The login form's CSRF token and cookie. */
export async function loginForm(url: string): Promise<{ csrf: string; cookie: string }> {
  const res = await fetch(`${url}/admin/login`);
  const html = await res.text();
  const csrf = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  const cookie = cookiesOf(res).get("detour_login")?.value;
  if (!csrf || !cookie) throw new Error("no login form");
  return { csrf, cookie };
}

/** POSTs the login form; returns the raw response (not followed). */
export async function postLogin(
  url: string,
  token: string,
  opts: {
    origin?: string | null;
    csrf?: string;
    cookie?: string;
    extraCookie?: string;
    /** More request headers, e.g. `sec-fetch-site`. */
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const form = opts.csrf && opts.cookie ? opts : { ...opts, ...(await loginForm(url)) };
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    cookie: [`detour_login=${form.cookie}`, opts.extraCookie].filter(Boolean).join("; "),
    ...opts.headers,
  };
  if (opts.origin !== null) headers.origin = opts.origin ?? url;
  return await fetch(`${url}/admin/login`, {
    method: "POST",
    redirect: "manual",
    headers,
    body: new URLSearchParams({ _csrf: form.csrf!, token }),
  });
}

/** A logged-in session: its cookie header value and the page's CSRF token. */
export interface AdminLogin {
  cookie: string;
  csrf: string;
  html: string;
}

export async function login(url: string, token: string): Promise<AdminLogin> {
  const res = await postLogin(url, token);
  await res.body?.cancel();
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const session = cookiesOf(res).get("detour_session")!.value;
  const cookie = `detour_session=${session}`;
  const page = await fetch(`${url}/admin`, { headers: { cookie } });
  const html = await page.text();
  const data = JSON.parse(
    html.match(/<script type="application\/json" id="detour-data">(.*?)<\/script>/s)![1],
  );
  return { cookie, csrf: data.csrf, html };
}

/** A same-origin request of the admin page (cookie, Origin, CSRF header). */
export function pageFetch(
  url: string,
  s: AdminLogin,
  path: string,
  init: RequestInit & { csrf?: string | null; origin?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    cookie: s.cookie,
    "content-type": "application/json",
    ...(init.headers as Record<string, string> | undefined),
  };
  if (init.origin !== null) headers.origin = init.origin ?? url;
  if (init.csrf !== null) headers["x-csrf-token"] = init.csrf ?? s.csrf;
  return fetch(`${url}${path}`, { ...init, headers, redirect: "manual" });
}
