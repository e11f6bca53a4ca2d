/** The login form (server-only; works without JavaScript). */
import { Brand, Layout } from "./Layout.tsx";

export interface LoginProps {
  css: string | null;
  csrf: string;
  /** A message above the form. */
  notice?: { kind: "error" | "info" | "ok"; text: string } | null;
  limit: number;
  lockMinutes: number;
  windowMinutes: number;
  /** Served over plain http on a non-loopback address: the Secure cookie will not stick. */
  insecure: boolean;
  locked: boolean;
}

export function LoginPage(props: LoginProps) {
  return (
    <Layout title="Log in" css={props.css} bodyClass="login-body">
      <main class="login">
        <div class="login-card">
          <h1>
            <Brand />
            <span class="sub">admin</span>
          </h1>
          {props.notice && (
            <p
              class={`notice ${props.notice.kind}`}
              role={props.notice.kind === "error" ? "alert" : "status"}
              id="login-notice"
            >
              {props.notice.text}
            </p>
          )}
          {props.insecure && (
            <p class="notice error">
              This page is served over plain http. The session cookie is Secure, so your browser
              will not keep it: open Detour over https (or on localhost) to log in.
            </p>
          )}
          <form method="post" action="/admin/login" class="login-form">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <div class="field">
              <label for="token">Admin token</label>
              <input
                id="token"
                name="token"
                type="password"
                autoComplete="current-password"
                required
                autofocus
                disabled={props.locked}
                aria-describedby={`token-hint${props.notice ? " login-notice" : ""}`}
                aria-invalid={props.notice?.kind === "error" ? "true" : undefined}
              />
              <p class="hint" id="token-hint">
                <code>ADMIN_TOKEN</code>, or the token Detour printed when it first started (
                <code>deno task reset-admin-token</code> makes a new one).
              </p>
            </div>
            <button type="submit" class="btn primary wide" disabled={props.locked}>Log in</button>
          </form>
          <p class="hint small">
            Failed logins are limited: after {props.limit} wrong tokens from one address within{" "}
            {props.windowMinutes} minutes, logins from it are refused for {props.lockMinutes}{" "}
            minutes. A session lasts 12 hours.
          </p>
        </div>
      </main>
    </Layout>
  );
}

/** A short page for refusals (a cross-site form, a stale CSRF token). */
export function MessagePage(
  { css, title, text }: { css: string | null; title: string; text: string },
) {
  return (
    <Layout title={title} css={css} bodyClass="login-body">
      <main class="login">
        <div class="login-card">
          <h1>
            <Brand />
            <span class="sub">admin</span>
          </h1>
          <p class="notice error" role="alert">{text}</p>
          <p>
            <a class="btn" href="/admin">Back to the admin page</a>
          </p>
        </div>
      </main>
    </Layout>
  );
}
