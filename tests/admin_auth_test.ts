/**
 * The admin page's security: signed session cookies, login throttling, CSRF, security headers,
 * validated writes, and no stored secret in anything sent to a browser.
 */
import assert from "node:assert/strict";
import { settle } from "./helpers/usage.ts";
import { AdminToken } from "../lib/auth/admin_token.ts";
import { LoginThrottle, throttleAddress } from "../lib/auth/login_throttle.ts";
import { AdminSessions, SESSION_TTL_MS } from "../lib/auth/session.ts";
import { sessionSecret } from "../lib/store/admin_session_store.ts";
import { readLoginFailures } from "../lib/store/login_throttle_store.ts";
import { startDetour } from "./helpers/harness.ts";
import { clientAddress } from "../lib/http/client_address.ts";
import { cookiesOf, login, loginForm, pageFetch, postLogin } from "./helpers/admin_session.ts";

const STORED_KEY = "sk-stored-secret-key-0123456789abcdefXYZ";
const SECOND_KEY = "sk-second-secret-key-abcdefghijklmnopQRS";
const AWS_SECRET = "aws-secret-access-key-0123456789abcdefGHIJ";

async function detourWithKeys() {
  return await startDetour({
    providers: [
      { id: "anthropic", type: "anthropic", baseUrl: "http://127.0.0.1:9", passthrough: true },
      {
        id: "zai",
        name: "Z.AI",
        type: "anthropic",
        baseUrl: "http://127.0.0.1:9",
        keys: [STORED_KEY, SECOND_KEY],
        modelMap: { "claude-*haiku*": "glm-4.5-air", "*": "glm-4.6" },
        headers: { "x-extra": "visible-header-value" },
      },
      {
        // Another type's secret field (SECRET_FIELDS) is masked like keys.
        id: "br",
        type: "bedrock",
        enabled: false,
        baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
        region: "us-east-1",
        awsAccessKeyId: "AKIAABCDEFGHIJKLMNOP",
        awsSecretAccessKey: AWS_SECRET,
      },
    ],
  });
}

Deno.test("session cookies: signed, verified, tampering and expiry rejected, logout ends them", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const token = await AdminToken.init(kv, "first-admin-token-0123456789", () => {});
    const sessions = new AdminSessions(kv, token);
    const { session, cookie } = await sessions.create();
    assert.match(cookie, /^[A-Za-z0-9_-]{32}\.\d{13}\.[A-Za-z0-9_-]{43}$/);
    const verified = await sessions.verify(cookie);
    assert.equal(verified?.id, session.id);
    assert.equal(verified?.csrf, session.csrf);
    assert.ok(Math.abs(session.expiresAt - (Date.now() + SESSION_TTL_MS)) < 5000);

    // Another instance (or a restart) over the same KV accepts it: the secret is shared.
    const restarted = new AdminSessions(
      kv,
      await AdminToken.init(kv, "first-admin-token-0123456789", () => {}),
    );
    assert.ok(await restarted.verify(cookie));

    // Tampering with any part breaks the signature.
    const [id, exp, sig] = cookie.split(".");
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    for (
      const bad of [
        `${flip(id)}.${exp}.${sig}`,
        `${id}.${Number(exp) + 3_600_000}.${sig}`,
        `${id}.${exp}.${flip(sig)}`,
        `${id}.${exp}`,
        "",
        "garbage",
        `${cookie}x`,
      ]
    ) {
      assert.equal(await sessions.verify(bad), null, bad);
    }

    // Expired: a cookie made 13 h ago, with a valid signature, is refused.
    const past = new AdminSessions(kv, token, { now: () => Date.now() - 13 * 3_600_000 });
    const old = await past.create();
    assert.ok(old.session.expiresAt < Date.now());
    assert.equal(await sessions.verify(old.cookie), null);

    // A new ADMIN_TOKEN ends every session.
    const other = new AdminSessions(
      kv,
      await AdminToken.init(kv, "second-admin-token-0123456789", () => {}),
    );
    assert.equal(await other.verify(cookie), null);

    // CSRF tokens are per session and compared exactly.
    assert.ok(await sessions.csrfValid(session, session.csrf));
    assert.equal(await sessions.csrfValid(session, flip(session.csrf)), false);
    assert.equal(await sessions.csrfValid(session, ""), false);
    const second = await sessions.create();
    assert.notEqual(second.session.csrf, session.csrf);

    // Logout: the signature is still valid, but the session is gone.
    await sessions.end(session);
    assert.equal(await sessions.verify(cookie), null);
  } finally {
    kv.close();
  }
});

Deno.test("the session secret is created once, atomically, and kept", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const all = await Promise.all(Array.from({ length: 8 }, () => sessionSecret(kv)));
    assert.equal(all[0].length, 32);
    for (const s of all) assert.deepEqual(s, all[0]);
    assert.deepEqual(await sessionSecret(kv), all[0]);
  } finally {
    kv.close();
  }
});

Deno.test("login: redirects, cookie attributes, rotation at each login, logout locks out", async () => {
  const detour = await detourWithKeys();
  try {
    const anon = await fetch(`${detour.url}/admin`, { redirect: "manual" });
    assert.equal(anon.status, 302);
    assert.equal(anon.headers.get("location"), "/admin/login");
    await anon.body?.cancel();

    const ok = await postLogin(detour.url, detour.adminToken);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/admin");
    await ok.body?.cancel();
    const set = cookiesOf(ok).get("detour_session")!;
    assert.match(set.raw, /HttpOnly/i);
    assert.match(set.raw, /SameSite=Strict/i);
    assert.match(set.raw, /Path=\/admin(;|$)/);
    assert.match(set.raw, /Max-Age=43200/);
    // Plain http on loopback: no Secure (the browser would drop the cookie).
    assert.doesNotMatch(set.raw, /Secure/i);
    const first = `detour_session=${set.value}`;
    assert.equal((await fetch(`${detour.url}/admin`, { headers: { cookie: first } })).status, 200);

    // Behind a TLS proxy the cookie is Secure.
    const tls = await postLogin(detour.url, detour.adminToken, {
      ...(await loginForm(detour.url)),
      origin: "https://detour.example",
      extraCookie: undefined,
    });
    await tls.body?.cancel();
    // (Origin https://detour.example does not match http://127.0.0.1 without x-forwarded-*.)
    assert.equal(tls.status, 403);
    // (The same login relayed by a trusted TLS proxy: see the TRUST_PROXY_HOPS test below.)

    // Logging in again from the same browser rotates the session: the old cookie stops working.
    const again = await postLogin(detour.url, detour.adminToken, { extraCookie: first });
    await again.body?.cancel();
    const rotated = cookiesOf(again).get("detour_session")!.value;
    assert.notEqual(rotated, set.value);
    const stale = await fetch(`${detour.url}/admin`, {
      headers: { cookie: first },
      redirect: "manual",
    });
    assert.equal(stale.status, 302);
    await stale.body?.cancel();

    // Logout needs the CSRF token, then ends the session for good.
    const s = await login(detour.url, detour.adminToken);
    const forged = await fetch(`${detour.url}/admin/logout`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: s.cookie,
        origin: detour.url,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "_csrf=wrong",
    });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();
    assert.equal((await pageFetch(detour.url, s, "/admin/api/config")).status, 200);
    const out = await fetch(`${detour.url}/admin/logout`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: s.cookie,
        origin: detour.url,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: s.csrf }),
    });
    assert.equal(out.status, 303);
    assert.match(out.headers.get("location")!, /^\/admin\/login/);
    assert.match(cookiesOf(out).get("detour_session")!.raw, /Max-Age=0/);
    await out.body?.cancel();
    const after = await pageFetch(detour.url, s, "/admin/api/config");
    assert.equal(after.status, 401);
    await after.body?.cancel();
    const page = await fetch(`${detour.url}/admin`, {
      headers: { cookie: s.cookie },
      redirect: "manual",
    });
    assert.equal(page.status, 302);
    await page.body?.cancel();
  } finally {
    await detour.close();
  }
});

Deno.test("login form: cross-site posts and a missing double-submit token are refused", async () => {
  const detour = await detourWithKeys();
  try {
    const cross = await postLogin(detour.url, detour.adminToken, {
      origin: "https://evil.example",
    });
    assert.equal(cross.status, 403);
    assert.equal(cookiesOf(cross).has("detour_session"), false);
    await cross.body?.cancel();

    const form = await loginForm(detour.url);
    const mismatched = await postLogin(detour.url, detour.adminToken, {
      csrf: form.csrf,
      cookie: "not-the-cookie-value",
    });
    assert.equal(mismatched.status, 403);
    assert.equal(cookiesOf(mismatched).has("detour_session"), false);
    assert.match(await mismatched.text(), /form expired/);

    // No Origin at all (Referrer-Policy: no-referrer makes browsers send "null"): the fetch
    // metadata header decides.
    const nullOrigin = await postLogin(detour.url, detour.adminToken, {
      origin: "null",
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(nullOrigin.status, 303);
    await nullOrigin.body?.cancel();
    const crossNull = await postLogin(detour.url, detour.adminToken, {
      origin: "null",
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossNull.status, 403);
    await crossNull.body?.cancel();
  } finally {
    await detour.close();
  }
});

Deno.test("failed logins are throttled per address, in KV with an expiry, and the form says so", async () => {
  const detour = await detourWithKeys();
  try {
    const form = await (await fetch(`${detour.url}/admin/login`)).text();
    assert.match(form, /after 5 wrong tokens from one address within 15 minutes/);
    for (let i = 1; i <= 4; i++) {
      const res = await postLogin(detour.url, "wrong-token-wrong-token");
      assert.equal(res.status, 401);
      assert.match(await res.text(), new RegExp(`${5 - i} attempt\\(s\\) left`));
    }
    const fifth = await postLogin(detour.url, "wrong-token-wrong-token");
    assert.equal(fifth.status, 429);
    assert.match(
      await fifth.text(),
      /Too many failed logins from your address\. Try again in 15 minute/,
    );
    // Locked: even the right token is refused, and the token is not even checked.
    const right = await postLogin(detour.url, detour.adminToken);
    assert.equal(right.status, 429);
    assert.equal(cookiesOf(right).has("detour_session"), false);
    await right.body?.cancel();
    const page = await fetch(`${detour.url}/admin/login`);
    assert.equal(page.status, 429);
    assert.match(await page.text(), /Too many failed logins/);
    const record = await readLoginFailures(detour.deps.kv, "127.0.0.1");
    assert.ok(record && record.lockedUntil! > Date.now() + 14 * 60_000);
    // The Bearer API is no way around the lock: while it lasts, no token is even checked
    // (else a locked address could keep guessing and see which guess answers 200).
    const api = await fetch(`${detour.url}/admin/api/config`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    });
    assert.equal(api.status, 429);
    await api.body?.cancel();
  } finally {
    await detour.close();
  }
});

/** A login as a TLS-terminating proxy relays it, with the x-forwarded-* headers it sets. */
async function proxiedLogin(url: string, token: string): Promise<Response> {
  const form = await loginForm(url);
  const res = await fetch(`${url}/admin/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: `detour_login=${form.cookie}`,
      origin: "https://detour.example",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "detour.example",
    },
    body: new URLSearchParams({ _csrf: form.csrf, token }),
  });
  await res.body?.cancel();
  return res;
}

// Moved from the login test: x-forwarded-host now counts only behind TRUST_PROXY_HOPS.
Deno.test("behind a trusted TLS proxy (TRUST_PROXY_HOPS) the login passes the origin check; the cookie is Secure", async () => {
  const detour = await startDetour({ providers: [] }, { TRUST_PROXY_HOPS: "1" });
  try {
    const proxied = await proxiedLogin(detour.url, detour.adminToken);
    assert.equal(proxied.status, 303);
    assert.match(cookiesOf(proxied).get("detour_session")!.raw, /; Secure/i);
  } finally {
    await detour.close();
  }
});

Deno.test("directly exposed, a client's own x-forwarded-host does not make another origin same-origin", async () => {
  const detour = await startDetour({ providers: [] });
  try {
    const forged = await proxiedLogin(detour.url, detour.adminToken);
    assert.equal(forged.status, 403);
    assert.equal(cookiesOf(forged).get("detour_session"), undefined);
  } finally {
    await detour.close();
  }
});

Deno.test("behind TRUST_PROXY_HOPS proxies the lock keys on X-Forwarded-For, not the proxy", async () => {
  // Without trusted hops a forwarded address is a client's claim: ignored.
  const h = (xff: string) => new Headers({ "x-forwarded-for": xff });
  assert.equal(clientAddress(h("1.2.3.4"), "127.0.0.1", 0), "127.0.0.1");
  assert.equal(clientAddress(h("6.6.6.6, 1.2.3.4"), "10.0.0.9", 1), "1.2.3.4");
  assert.equal(clientAddress(h("6.6.6.6, 1.2.3.4, 10.0.0.8"), "10.0.0.9", 2), "1.2.3.4");
  assert.equal(clientAddress(new Headers(), "10.0.0.9", 1), "10.0.0.9");
  const detour = await startDetour({ providers: [] }, { TRUST_PROXY_HOPS: "1" });
  try {
    const bearer = (token: string, xff: string) =>
      fetch(`${detour.url}/admin/api/config`, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": xff },
      }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      });
    for (let i = 0; i < 5; i++) {
      // A client cannot dodge the lock by claiming other addresses to the left.
      assert.equal(await bearer("wrong-token-wrong-token", `9.9.9.${i}, 203.0.113.7`), 401);
    }
    assert.equal(await bearer(detour.adminToken, "203.0.113.7"), 429);
    assert.ok((await readLoginFailures(detour.deps.kv, "203.0.113.7"))?.lockedUntil);
    // Another client behind the same proxy is not locked out.
    assert.equal(await bearer(detour.adminToken, "198.51.100.4"), 200);
    assert.equal(await readLoginFailures(detour.deps.kv, "127.0.0.1"), null);
  } finally {
    await detour.close();
  }
});

Deno.test("throttle: counts per address, expires, resets on success; IPv6 counts per /64", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const throttle = new LoginThrottle(kv, { limit: 3, windowMs: 200, lockMs: 300 });
    assert.equal((await throttle.fail("10.0.0.1")).remaining, 2);
    assert.equal((await throttle.fail("10.0.0.1")).remaining, 1);
    await throttle.fail("10.0.0.2");
    const locked = await throttle.fail("10.0.0.1");
    assert.equal(locked.locked, true);
    assert.equal((await throttle.check("10.0.0.1")).locked, true);
    assert.equal((await throttle.check("10.0.0.2")).locked, false);
    await new Promise((r) => setTimeout(r, 350));
    assert.deepEqual(await throttle.check("10.0.0.1"), {
      locked: false,
      until: null,
      remaining: 3,
    });
    await throttle.fail("10.0.0.3");
    await throttle.succeed("10.0.0.3");
    assert.equal((await throttle.check("10.0.0.3")).remaining, 3);

    assert.equal(throttleAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    assert.equal(throttleAddress("2001:db8:1:2::9"), "2001:db8:1:2::/64");
    assert.equal(throttleAddress("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(throttleAddress("::ffff:10.1.2.3"), "10.1.2.3");
    assert.equal(throttleAddress("::1"), "0:0:0:0::/64");
    assert.equal(throttleAddress("192.0.2.7"), "192.0.2.7");
    assert.equal(throttleAddress(null), "unknown");
  } finally {
    kv.close();
  }
});

Deno.test("admin API with a session: CSRF on every write, Bearer scripts need none", async () => {
  const detour = await detourWithKeys();
  try {
    const s = await login(detour.url, detour.adminToken);
    const config = await (await pageFetch(detour.url, s, "/admin/api/config")).json();
    config.cooldownSeconds = 42;
    const body = JSON.stringify(config);
    const writes: [string, string, string][] = [
      ["PUT", "/admin/api/config", body],
      ["POST", "/admin/api/access-keys", JSON.stringify({ label: "x" })],
      ["DELETE", "/admin/api/access-keys/nope", ""],
      ["POST", "/admin/api/providers/zai/test", "{}"],
      ["POST", "/admin/api/providers/zai/reset", ""],
      ["POST", "/admin/api/config/export", JSON.stringify({ confirm: "include-secrets" })],
    ];
    for (const [method, path, b] of writes) {
      for (
        const variant of [
          { csrf: null },
          { csrf: "wrong-token" },
          { origin: "https://evil.example" },
          { origin: null },
        ]
      ) {
        const res = await pageFetch(detour.url, s, path, {
          method,
          body: b || undefined,
          ...variant,
        });
        assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(variant)}`);
        const text = await res.text();
        assert.ok(!text.includes(STORED_KEY));
      }
    }
    assert.equal(detour.deps.live.config.cooldownSeconds, 60, "nothing changed");

    // Origin "null" with Sec-Fetch-Site: same-origin is the page itself (no-referrer policy).
    const viaMetadata = await pageFetch(detour.url, s, "/admin/api/config", {
      method: "PUT",
      body,
      origin: "null",
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(viaMetadata.status, 200, await viaMetadata.clone().text());
    await viaMetadata.body?.cancel();
    assert.equal(detour.deps.live.config.cooldownSeconds, 42);

    const ok = await pageFetch(detour.url, s, "/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "laptop" }),
    });
    assert.equal(ok.status, 201);
    await ok.body?.cancel();

    // Scripts: Bearer, no cookie, no CSRF token, no Origin.
    const script = await fetch(`${detour.url}/admin/api/config`, {
      method: "PUT",
      headers: { authorization: `Bearer ${detour.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ ...config, cooldownSeconds: 43 }),
    });
    assert.equal(script.status, 200);
    await script.body?.cancel();
    // A wrong Bearer token does not fall back to the cookie.
    const wrong = await pageFetch(detour.url, s, "/admin/api/config", {
      headers: { authorization: "Bearer not-the-admin-token" },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    // A page whose session was renewed elsewhere fetches the new CSRF token (same origin only:
    // no CORS header lets another site read it).
    const fresh = await pageFetch(detour.url, s, "/admin/api/session");
    assert.equal(fresh.headers.get("access-control-allow-origin"), null);
    assert.equal((await fresh.json()).csrf, s.csrf);
    const bearerSession = await fetch(`${detour.url}/admin/api/session`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    });
    assert.equal((await bearerSession.json()).csrf, null);
    const anonSession = await fetch(`${detour.url}/admin/api/session`);
    assert.equal(anonSession.status, 401);
    await anonSession.body?.cancel();
    // No session at all.
    const none = await fetch(`${detour.url}/admin/api/status`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
  } finally {
    await detour.close();
  }
});

Deno.test("every admin write through the page is validated; a bad one changes nothing", async () => {
  const detour = await detourWithKeys();
  try {
    const s = await login(detour.url, detour.adminToken);
    const before = JSON.stringify(detour.deps.live.config);
    const config = await (await pageFetch(detour.url, s, "/admin/api/config")).json();
    const bad = structuredClone(config);
    bad.providers[1].baseUrl = "ftp:/nope";
    bad.providers[1].modelMap = { "": "x" };
    bad.providers[1].headers = { "bad header": "v" };
    bad.fallbackOn = [200];
    const cases: [string, string, string, RegExp][] = [
      ["PUT", "/admin/api/config", JSON.stringify(bad), /providers\.1\.baseUrl/],
      ["PUT", "/admin/api/config", "{not json", /not valid JSON/],
      ["PUT", "/admin/api/config", JSON.stringify({ providers: "no" }), /providers/],
      ["POST", "/admin/api/access-keys", JSON.stringify({ label: "  " }), /label/],
      [
        "POST",
        "/admin/api/access-keys",
        JSON.stringify({ label: "a", extra: 1 }),
        /extra|Unrecognized/i,
      ],
      ["POST", "/admin/api/providers/zai/test", JSON.stringify({ apiKey: 5 }), /apiKey/],
      ["POST", "/admin/api/config/export", JSON.stringify({}), /include-secrets/],
      ["POST", "/admin/api/config/export", JSON.stringify({ confirm: "yes" }), /include-secrets/],
    ];
    for (const [method, path, body, pattern] of cases) {
      const res = await pageFetch(detour.url, s, path, { method, body });
      const text = await res.text();
      assert.equal(res.status, 400, `${method} ${path}: ${text}`);
      assert.match(text, pattern);
      assert.ok(!text.includes(STORED_KEY) && !text.includes(SECOND_KEY));
    }
    const issues = (await (await pageFetch(detour.url, s, "/admin/api/config", {
      method: "PUT",
      body: JSON.stringify(bad),
    })).json()).error.issues.map((i: { path: string }) => i.path);
    for (const p of ["providers.1.baseUrl", "providers.1.headers", "fallbackOn.0"]) {
      assert.ok(issues.some((i: string) => i.startsWith(p)), `${p} in ${issues}`);
    }
    assert.equal(JSON.stringify(detour.deps.live.config), before);
    assert.equal((await detour.deps.kv.get(["access_key", "by_id"])).value, null);
  } finally {
    await detour.close();
  }
});

Deno.test("stored secrets never reach the browser: pages, API answers, export (unless confirmed)", async () => {
  const detour = await detourWithKeys();
  try {
    const s = await login(detour.url, detour.adminToken);
    const created = await (await pageFetch(detour.url, s, "/admin/api/access-keys", {
      method: "POST",
      body: JSON.stringify({ label: "ci" }),
    })).json();
    assert.match(created.key, /^dtr_/);
    const secrets = [STORED_KEY, SECOND_KEY, AWS_SECRET, created.key, detour.adminToken];
    const responses: [string, Response][] = [
      ["/admin", await fetch(`${detour.url}/admin`, { headers: { cookie: s.cookie } })],
      ["/admin/login", await fetch(`${detour.url}/admin/login`)],
      ["config", await pageFetch(detour.url, s, "/admin/api/config")],
      ["status", await pageFetch(detour.url, s, "/admin/api/status")],
      ["access-keys", await pageFetch(detour.url, s, "/admin/api/access-keys")],
      ["export", await pageFetch(detour.url, s, "/admin/api/config/export")],
      [
        "save",
        await pageFetch(detour.url, s, "/admin/api/config", {
          method: "PUT",
          body: JSON.stringify(await (await pageFetch(detour.url, s, "/admin/api/config")).json()),
        }),
      ],
      [
        "test",
        await pageFetch(detour.url, s, "/admin/api/providers/zai/test", {
          method: "POST",
          body: "{}",
        }),
      ],
    ];
    for (const [what, res] of responses) {
      const text = await res.text();
      assert.ok(res.status < 400, `${what}: ${res.status} ${text}`);
      for (const secret of secrets) assert.ok(!text.includes(secret), `${what} leaks a secret`);
    }
    // The masked keys are there (distinguishable), and the save kept the real keys.
    const html = await (await fetch(`${detour.url}/admin`, { headers: { cookie: s.cookie } }))
      .text();
    assert.ok(html.includes("sk-sto…fXYZ") && html.includes("sk-sec…pQRS"));
    assert.deepEqual(detour.deps.live.config.providers[1].keys, [STORED_KEY, SECOND_KEY]);
    assert.equal(
      (detour.deps.live.config.providers[2] as Record<string, unknown>).awsSecretAccessKey,
      AWS_SECRET,
    );
    assert.match(
      (await fetch(`${detour.url}/admin/api/config/export`, { headers: { cookie: s.cookie } }))
        .headers.get("content-disposition")!,
      /attachment/,
    );

    // The one exception: an explicit, confirmed export, marked no-store.
    const full = await pageFetch(detour.url, s, "/admin/api/config/export", {
      method: "POST",
      body: JSON.stringify({ confirm: "include-secrets" }),
    });
    assert.equal(full.status, 200);
    assert.equal(full.headers.get("cache-control"), "no-store");
    const exported = await full.json();
    assert.deepEqual(exported.providers[1].keys, [STORED_KEY, SECOND_KEY]);
    assert.equal(exported.providers[2].awsSecretAccessKey, AWS_SECRET);
  } finally {
    await detour.close();
  }
});

Deno.test("security headers on every admin page and answer; no inline script", async () => {
  const detour = await detourWithKeys();
  try {
    const s = await login(detour.url, detour.adminToken);
    const pages = [
      await fetch(`${detour.url}/admin/login`),
      await fetch(`${detour.url}/admin`, { headers: { cookie: s.cookie } }),
      await fetch(`${detour.url}/admin`, { redirect: "manual" }),
      await pageFetch(detour.url, s, "/admin/api/config"),
      await fetch(`${detour.url}/admin/api/config`),
    ];
    for (const res of pages) {
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      assert.equal(res.headers.get("referrer-policy"), "no-referrer");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("cache-control"), "no-store");
      const text = await res.text();
      for (const tag of text.match(/<script\b[^>]*>/g) ?? []) {
        assert.match(tag, /type="application\/json"|src="\/admin\/assets\//, tag);
      }
      assert.doesNotMatch(text, /\son[a-z]+="/i, "no inline event handlers");
      assert.doesNotMatch(text, /\sstyle="/i, "no inline styles");
    }
    // The proxy's own answers carry none of this.
    const health = await fetch(`${detour.url}/health`);
    assert.equal(health.headers.get("content-security-policy"), null);
    await health.body?.cancel();
    // Static files: versioned and cacheable.
    const html = await (await fetch(`${detour.url}/admin`, { headers: { cookie: s.cookie } }))
      .text();
    const css = html.match(/href="(\/admin\/assets\/admin\.css\?v=[0-9a-f]+)"/)![1];
    const cssRes = await fetch(`${detour.url}${css}`);
    assert.equal(cssRes.status, 200);
    assert.match(cssRes.headers.get("cache-control")!, /immutable/);
    await cssRes.body?.cancel();
    const missing = await fetch(`${detour.url}/admin/assets/..%2Fdeno.json`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await detour.close();
  }
});

Deno.test("the page reads without JavaScript: chain, masked keys, state, settings, connect lines", async () => {
  const detour = await detourWithKeys();
  try {
    const s = await login(detour.url, detour.adminToken);
    const html = s.html;
    for (
      const text of [
        "Provider chain",
        "Z.AI",
        "https://api.anthropic.com".replace("https://api.anthropic.com", "http://127.0.0.1:9"),
        "claude-*haiku*",
        "glm-4.5-air",
        "sk-sto…fXYZ",
        "no traffic yet",
        "Fall back on these status codes",
        "401, 403, 408, 429, 500, 502, 503, 504, 529",
        `export ANTHROPIC_BASE_URL=${detour.url}`,
        "x-detour-key: &lt;your access key>",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
        "~/.claude/settings.json",
        'href="/admin/api/config/export"',
        "JavaScript is off",
      ]
    ) {
      assert.ok(html.includes(text), `page shows ${text}`);
    }
    // Controls are disabled until the islands hydrate: no dead buttons without JavaScript.
    assert.match(
      html,
      /<button type="button" class="btn primary"[^>]*disabled[^>]*>\+ Add provider/,
    );
  } finally {
    await detour.close();
  }
});

Deno.test("the page shows which billing path served requests (subscription vs API key)", async () => {
  const { anthropicMessage, mockUpstream } = await import("./helpers/harness.ts");
  const upstream = mockUpstream(() => Response.json(anthropicMessage("ok")));
  const detour = await startDetour({
    providers: [
      {
        id: "max",
        name: "Max plan",
        type: "anthropic",
        baseUrl: upstream.url,
        keys: ["sk-ant-oat01-subscription-token-0123456789"],
        modelMap: { "claude-sonnet-5": "claude-sonnet-5" },
      },
      {
        id: "paid",
        name: "Paid key",
        type: "anthropic",
        baseUrl: upstream.url,
        keys: [STORED_KEY],
      },
    ],
  });
  try {
    const before = (await login(detour.url, detour.adminToken)).html;
    assert.ok(before.includes("Billing, last 24 h:"));
    assert.ok(before.includes("no requests served yet."));
    assert.match(before, /data-billing="subscription">a Claude subscription</);
    assert.match(before, /data-billing="api_key">an API key \(paid per token\)</);
    // One request the subscription takes, two only the paid key takes.
    for (const model of ["claude-sonnet-5", "claude-opus-4-8", "claude-opus-4-8"]) {
      const res = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, max_tokens: 5, messages: [] }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    await settle(detour, 3);
    const after = (await login(detour.url, detour.adminToken)).html;
    assert.match(after, /data-billing-path="subscription">a Claude subscription: (<!-- -->)?1/);
    assert.match(
      after,
      /data-billing-path="api_key">(<!-- -->)?( · )?(<!-- -->)?an API key \(paid per token\): (<!-- -->)?2/,
    );
  } finally {
    await detour.close();
    await upstream.close();
  }
});
