/** GET and POST /admin/login: the login form, its CSRF cookie, and the throttled check. */
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { assetUrl } from "../../lib/admin/assets.ts";
import { CSRF_FIELD, sameOrigin } from "../../lib/auth/csrf.ts";
import type { LoginThrottle } from "../../lib/auth/login_throttle.ts";
import {
  adminCookieOptions,
  type AdminSessions,
  base64url,
  isPlainHttpLoopback,
} from "../../lib/auth/session.ts";
import { timingSafeEqual } from "../../lib/crypto.ts";
import { type AppEnv, type Deps, limitAddress } from "../../lib/deps.ts";
import { LoginPage } from "../../components/LoginPage.tsx";
import { html } from "./render.ts";

/** The login form's double-submit CSRF cookie (before there is a session to tie a token to). */
const LOGIN_COOKIE = "detour_login";
export const LOGIN_PATH = "/admin/login";

type Notice = { kind: "error" | "info" | "ok"; text: string };

/** The login page with a fresh double-submit token. */
async function loginForm(
  c: Context<AppEnv>,
  throttle: LoginThrottle,
  notice: Notice | null,
  status: 200 | 401 | 403 | 429 | 503 = 200,
  locked = false,
) {
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
}

/** Whole minutes until `ms`, at least one. */
function minutesUntil(ms: number): number {
  return Math.max(1, Math.ceil((ms - Date.now()) / 60_000));
}

/** The notice for an address whose logins are paused. */
function lockedNotice(until: number | null): Notice {
  return {
    kind: "error",
    text: `Too many failed logins from your address. Try again in ${
      minutesUntil(until ?? Date.now())
    } minute(s).`,
  };
}

/** The login form and the login itself. */
export function loginRoutes(
  app: Hono<AppEnv>,
  deps: Deps,
  sessions: AdminSessions,
  throttle: LoginThrottle,
): void {
  // On Deno Deploy without ADMIN_TOKEN there is no token to log in with: say what to set.
  const unset = (c: Context<AppEnv>) =>
    deps.adminToken.missing === null
      ? null
      : loginForm(c, throttle, { kind: "error", text: deps.adminToken.missing }, 503, true);

  app.get(LOGIN_PATH, async (c) => {
    const refused = unset(c);
    if (refused) return refused;
    if (await sessions.fromRequest(c)) return c.redirect("/admin", 302);
    const state = await throttle.check(limitAddress(c, deps));
    if (state.locked) return loginForm(c, throttle, lockedNotice(state.until), 429, true);
    const bye = c.req.query("bye") !== undefined;
    return loginForm(c, throttle, bye ? { kind: "ok", text: "You are logged out." } : null);
  });

  app.post(
    LOGIN_PATH,
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("request too large", 413) }),
    async (c) => {
      const refused = unset(c);
      if (refused) return refused;
      const address = limitAddress(c, deps);
      if (!sameOrigin(c.req.raw, (deps.trustProxyHops ?? 0) > 0)) {
        return loginForm(c, throttle, {
          kind: "error",
          text: "This login came from another site and was refused. Log in from this page.",
        }, 403);
      }
      const state = await throttle.check(address);
      if (state.locked) return loginForm(c, throttle, lockedNotice(state.until), 429, true);

      const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
      const token = typeof form.token === "string" ? form.token : "";
      const presented = typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] as string : "";
      const expected = getCookie(c, LOGIN_COOKIE) ?? "";
      if (!expected || !(await timingSafeEqual(presented, expected))) {
        return loginForm(c, throttle, {
          kind: "error",
          text: "The login form expired (or cookies are blocked). Please try again.",
        }, 403);
      }
      if (!(await deps.adminToken.verify(token))) {
        const after = await throttle.fail(address);
        deps.logger.warn("admin login failed", { address, remaining: after.remaining });
        if (after.locked) return loginForm(c, throttle, lockedNotice(after.until), 429, true);
        return loginForm(c, throttle, {
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
}
