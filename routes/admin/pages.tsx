/** The admin web page: login, logout, the page itself, and its static files. */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { asset, assetUrl } from "../../lib/admin/assets.ts";
import { loadPageData } from "../../lib/admin/page_data.ts";
import { CSRF_FIELD, sameOrigin } from "../../lib/auth/csrf.ts";
import { LoginThrottle } from "../../lib/auth/login_throttle.ts";
import {
  adminCookieOptions,
  AdminSessions,
  base64url,
  isPlainHttpLoopback,
} from "../../lib/auth/session.ts";
import { timingSafeEqual } from "../../lib/crypto.ts";
import { type AppEnv, type Deps, limitAddress } from "../../lib/deps.ts";
import { AdminPage } from "../../components/AdminPage.tsx";
import { LoginPage, MessagePage } from "../../components/LoginPage.tsx";

/** The login form's double-submit CSRF cookie (before there is a session to tie a token to). */
const LOGIN_COOKIE = "detour_login";
const LOGIN_PATH = "/admin/login";

/** Auth state the admin routes share. */
export interface AdminAuth {
  sessions: AdminSessions;
  throttle: LoginThrottle;
}

function html(c: Context, vnode: VNode, status: 200 | 401 | 403 | 429 = 200) {
  return c.html(`<!doctype html>${renderToString(vnode)}`, status);
}

function minutesUntil(ms: number): number {
  return Math.max(1, Math.ceil((ms - Date.now()) / 60_000));
}

export function adminPageRoutes(deps: Deps, auth: AdminAuth) {
  const app = new Hono<AppEnv>();
  const { sessions, throttle } = auth;

  const loginForm = async (
    c: Context<AppEnv>,
    notice: { kind: "error" | "info" | "ok"; text: string } | null,
    status: 200 | 401 | 403 | 429 = 200,
    locked = false,
  ) => {
    // A fresh double-submit token with every form.
    const csrf = base64url(crypto.getRandomValues(new Uint8Array(24)));
    setCookie(c, LOGIN_COOKIE, csrf, { ...adminCookieOptions(c.req.raw, 3600), path: LOGIN_PATH });
    const url = new URL(c.req.url);
    const insecure = url.protocol === "http:" && !isPlainHttpLoopback(c.req.raw) &&
      c.req.header("x-forwarded-proto") !== "https";
    return html(
      c,
      <LoginPage
        css={await assetUrl("admin.css")}
        csrf={csrf}
        notice={notice}
        limit={throttle.limit}
        lockMinutes={throttle.lockMinutes}
        windowMinutes={throttle.windowMinutes}
        insecure={insecure}
        locked={locked}
      />,
      status,
    );
  };

  const lockedNotice = (until: number | null) => ({
    kind: "error" as const,
    text: `Too many failed logins from your address. Try again in ${
      minutesUntil(until ?? Date.now())
    } minute(s).`,
  });

  app.get("/admin", async (c) => {
    const session = await sessions.fromRequest(c);
    if (!session) return c.redirect(LOGIN_PATH, 302);
    const data = await loadPageData(deps, c, session.csrf);
    const [css, script] = await Promise.all([assetUrl("admin.css"), assetUrl("admin.js")]);
    return html(c, <AdminPage data={data} css={css} script={script} />);
  });

  app.get("/admin/", (c) => c.redirect("/admin", 301));

  app.get(LOGIN_PATH, async (c) => {
    if (await sessions.fromRequest(c)) return c.redirect("/admin", 302);
    const state = await throttle.check(limitAddress(c, deps));
    if (state.locked) return loginForm(c, lockedNotice(state.until), 429, true);
    const bye = c.req.query("bye") !== undefined;
    return loginForm(c, bye ? { kind: "ok", text: "You are logged out." } : null);
  });

  app.post(
    LOGIN_PATH,
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("request too large", 413) }),
    async (c) => {
      const address = limitAddress(c, deps);
      if (!sameOrigin(c.req.raw, (deps.trustProxyHops ?? 0) > 0)) {
        return loginForm(c, {
          kind: "error",
          text: "This login came from another site and was refused. Log in from this page.",
        }, 403);
      }
      const state = await throttle.check(address);
      if (state.locked) return loginForm(c, lockedNotice(state.until), 429, true);

      const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
      const token = typeof form.token === "string" ? form.token : "";
      const presented = typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] as string : "";
      const expected = getCookie(c, LOGIN_COOKIE) ?? "";
      if (!expected || !(await timingSafeEqual(presented, expected))) {
        return loginForm(c, {
          kind: "error",
          text: "The login form expired (or cookies are blocked). Please try again.",
        }, 403);
      }
      if (!(await deps.adminToken.verify(token))) {
        const after = await throttle.fail(address);
        deps.logger.warn("admin login failed", { address, remaining: after.remaining });
        if (after.locked) return loginForm(c, lockedNotice(after.until), 429, true);
        return loginForm(c, {
          kind: "error",
          text:
            `That is not the admin token. ${after.remaining} attempt(s) left before logins from your address are paused for ${throttle.lockMinutes} minutes.`,
        }, 401);
      }
      await throttle.succeed(address);
      // A new session id at every login; an old session of this browser ends.
      const previous = await sessions.fromRequest(c);
      if (previous) await sessions.end(previous);
      const { cookie } = await sessions.create();
      sessions.setCookie(c, cookie);
      deleteCookie(c, LOGIN_COOKIE, { path: LOGIN_PATH });
      deps.logger.info("admin login", { address });
      return c.redirect("/admin", 303);
    },
  );

  app.post(
    "/admin/logout",
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("request too large", 413) }),
    async (c) => {
      const session = await sessions.fromRequest(c);
      if (session) {
        const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
        const token = typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] as string : "";
        if (
          !sameOrigin(c.req.raw, (deps.trustProxyHops ?? 0) > 0) ||
          !(await sessions.csrfValid(session, token))
        ) {
          return html(
            c,
            <MessagePage
              css={await assetUrl("admin.css")}
              title="Refused"
              text="This logout did not come from the admin page, so it was refused."
            />,
            403,
          );
        }
        await sessions.end(session);
        deps.logger.info("admin logout", {});
      }
      sessions.clearCookie(c);
      return c.redirect(`${LOGIN_PATH}?bye`, 303);
    },
  );

  // The session's CSRF token, for a page whose session was renewed in another tab (the API
  // guard has already checked the cookie; browsers never let another site read this answer).
  app.get("/admin/api/session", async (c) => {
    const session = await sessions.fromRequest(c);
    return c.json({ csrf: session?.csrf ?? null, expiresAt: session?.expiresAt ?? null });
  });

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

  return app;
}
