/**
 * Admin sessions: an HMAC-SHA256-signed cookie `<id>.<expiresAt>.<signature>` (12 h), backed by
 * a KV record so logout really ends it. The signing key is derived from a random secret kept in
 * KV (shared by every instance, kept across restarts) and the admin token's hash (a new token
 * ends every session). Each session also has a CSRF token derived from its id.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { sha256Hex, timingSafeEqual } from "../crypto.ts";
import type { AdminToken } from "./admin_token.ts";
import {
  adminSessionLive,
  deleteAdminSession,
  putAdminSession,
  sessionSecret,
} from "../store/admin_session_store.ts";

export const SESSION_COOKIE = "detour_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Every admin cookie is scoped to the admin area. */
export const ADMIN_COOKIE_PATH = "/admin";

/** A verified session. */
export interface AdminSession {
  id: string;
  idHash: string;
  expiresAt: number;
  /** The CSRF token every state-changing request of this session must carry. */
  csrf: string;
}

const encoder = new TextEncoder();

/** Unpadded base64url of bytes. */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

/** True when the page is served over plain http on a loopback address (no TLS to be had). */
export function isPlainHttpLoopback(req: Request): boolean {
  const url = new URL(req.url);
  if (url.protocol !== "http:") return false;
  if (req.headers.get("x-forwarded-proto")?.toLowerCase() === "https") return false;
  return LOOPBACK_HOST.test(url.hostname);
}

/** Cookie attributes for an admin cookie: HttpOnly, SameSite=Strict, Path=/admin, Secure. */
export function adminCookieOptions(req: Request, maxAgeSeconds: number): CookieOptions {
  return {
    path: ADMIN_COOKIE_PATH,
    httpOnly: true,
    sameSite: "Strict",
    // Browsers refuse Secure cookies from plain-http pages, except that loopback is allowed to
    // be plain http; everywhere else the page must be served over https.
    secure: !isPlainHttpLoopback(req),
    maxAge: maxAgeSeconds,
    expires: new Date(Date.now() + maxAgeSeconds * 1000),
  };
}

export class AdminSessions {
  #kv: Deno.Kv;
  #token: AdminToken;
  #now: () => number;
  #ttlMs: number;
  #key: Promise<CryptoKey> | null = null;

  constructor(
    kv: Deno.Kv,
    token: AdminToken,
    opts: { now?: () => number; ttlMs?: number } = {},
  ) {
    this.#kv = kv;
    this.#token = token;
    this.#now = opts.now ?? Date.now;
    this.#ttlMs = opts.ttlMs ?? SESSION_TTL_MS;
  }

  /** The HMAC key: HMAC(secret from KV, admin token hash), derived once per process. */
  #hmacKey(): Promise<CryptoKey> {
    this.#key ??= (async () => {
      const secret = await sessionSecret(this.#kv);
      const base = await crypto.subtle.importKey(
        "raw",
        secret as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const derived = await crypto.subtle.sign(
        "HMAC",
        base,
        encoder.encode(`detour admin session v1|${this.#token.fingerprint}`),
      );
      return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
    })();
    this.#key.catch(() => (this.#key = null));
    return this.#key;
  }

  async #mac(data: string): Promise<string> {
    const sig = await crypto.subtle.sign("HMAC", await this.#hmacKey(), encoder.encode(data));
    return base64url(new Uint8Array(sig));
  }

  async #session(id: string, expiresAt: number): Promise<AdminSession> {
    return { id, idHash: await sha256Hex(id), expiresAt, csrf: await this.#mac(`csrf|${id}`) };
  }

  /** Starts a new session (a fresh id at every login) and returns it with its cookie value. */
  async create(): Promise<{ session: AdminSession; cookie: string }> {
    const id = base64url(crypto.getRandomValues(new Uint8Array(24)));
    const expiresAt = this.#now() + this.#ttlMs;
    const session = await this.#session(id, expiresAt);
    await putAdminSession(this.#kv, session.idHash, expiresAt);
    const payload = `${id}.${expiresAt}`;
    return { session, cookie: `${payload}.${await this.#mac(`session|${payload}`)}` };
  }

  /**
   * The session a cookie value stands for, or null when it is malformed, tampered with (the
   * signature is compared in constant time), expired, or ended.
   */
  async verify(cookie: string | null | undefined): Promise<AdminSession | null> {
    if (!cookie || cookie.length > 200) return null;
    const match = cookie.match(/^([A-Za-z0-9_-]{32})\.(\d{13,15})\.([A-Za-z0-9_-]{43})$/);
    if (!match) return null;
    const [, id, exp, sig] = match;
    const expected = await this.#mac(`session|${id}.${exp}`);
    if (!(await timingSafeEqual(sig, expected))) return null;
    const expiresAt = Number(exp);
    if (!(expiresAt > this.#now())) return null;
    const session = await this.#session(id, expiresAt);
    if (!(await adminSessionLive(this.#kv, session.idHash))) return null;
    return session;
  }

  /** Ends a session: its cookie is refused from now on, on every instance. */
  async end(session: AdminSession): Promise<void> {
    await deleteAdminSession(this.#kv, session.idHash);
  }

  /** Checks a presented CSRF token against the session's, in constant time. */
  async csrfValid(session: AdminSession, presented: string | null | undefined): Promise<boolean> {
    if (!presented || presented.length > 100) return false;
    return await timingSafeEqual(presented, session.csrf);
  }

  /** The session of a request's cookie, if valid. */
  fromRequest(c: Context): Promise<AdminSession | null> {
    return this.verify(getCookie(c, SESSION_COOKIE));
  }

  /** Sets the session cookie on a response. */
  setCookie(c: Context, cookie: string): void {
    setCookie(
      c,
      SESSION_COOKIE,
      cookie,
      adminCookieOptions(c.req.raw, Math.floor(this.#ttlMs / 1000)),
    );
  }

  /** Clears the session cookie. */
  clearCookie(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, {
      path: ADMIN_COOKIE_PATH,
      secure: !isPlainHttpLoopback(c.req.raw),
      httpOnly: true,
      sameSite: "Strict",
    });
  }
}
