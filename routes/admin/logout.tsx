/** POST /admin/logout: ends the session (only when the page's CSRF token comes with it). */
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { assetUrl } from "../../lib/admin/assets.ts";
import { CSRF_FIELD, sameOrigin } from "../../lib/auth/csrf.ts";
import type { AdminSessions } from "../../lib/auth/session.ts";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { MessagePage } from "../../components/LoginPage.tsx";
import { LOGIN_PATH } from "./login.tsx";
import { html } from "./render.ts";

/** Logging out. */
export function logoutRoutes(app: Hono<AppEnv>, deps: Deps, sessions: AdminSessions): void {
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
}
