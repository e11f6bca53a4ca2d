/**
 * The admin web page: the page itself and its session probe here; login, logout and the
 * static files in their own modules.
 */
import { Hono } from "hono";
import { assetUrl } from "../../lib/admin/assets.ts";
import { loadPageData } from "../../lib/admin/page_data.ts";
import type { LoginThrottle } from "../../lib/auth/login_throttle.ts";
import type { AdminSessions } from "../../lib/auth/session.ts";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { assetRoutes } from "./assets.ts";
import { LOGIN_PATH, loginRoutes } from "./login.tsx";
import { logoutRoutes } from "./logout.tsx";
import { html } from "./render.ts";

/** Auth state the admin routes share. */
export interface AdminAuth {
  sessions: AdminSessions;
  throttle: LoginThrottle;
}

/** Mounts the admin page, login, logout and the page's static files. */
export function adminPageRoutes(deps: Deps, auth: AdminAuth) {
  const app = new Hono<AppEnv>();
  const { sessions, throttle } = auth;

  app.get("/admin", async (c) => {
    const session = await sessions.fromRequest(c);
    if (!session) return c.redirect(LOGIN_PATH, 302);
    const data = await loadPageData(deps, c, session.csrf);
    const [css, script] = await Promise.all([assetUrl("admin.css"), assetUrl("admin.js")]);
    const problems = deps.deployProblems ?? [];
    // The page's server render (every island and the libraries they use) loads on the first
    // visit, not at boot: it was most of the time from process start to the first request.
    const { AdminPage } = await import("../../components/AdminPage.tsx");
    return html(c, <AdminPage data={data} css={css} script={script} problems={problems} />);
  });

  app.get("/admin/", (c) => c.redirect("/admin", 301));

  loginRoutes(app, deps, sessions, throttle);
  logoutRoutes(app, deps, sessions);

  // The session's CSRF token, for a page whose session was renewed in another tab (the API
  // guard has already checked the cookie; browsers never let another site read this answer).
  app.get("/admin/api/session", async (c) => {
    const session = await sessions.fromRequest(c);
    return c.json({ csrf: session?.csrf ?? null, expiresAt: session?.expiresAt ?? null });
  });

  assetRoutes(app);
  return app;
}
