/**
 * Google access tokens for a service account, without a Google library: an RS256 JWT signed
 * with Web Crypto, exchanged at the key's `token_uri` (the JWT bearer grant, RFC 7523).
 * Tokens are cached until a minute before they expire, and concurrent requests share one
 * exchange (single-flight per key).
 */
import { parseServiceAccount, type ServiceAccountSchema } from "../config/fields/cloud.ts";
import type { Provider } from "../config/schema.ts";
import type * as z from "zod";
import { type AdcSource, adcToken, emailOfIdToken, expireAdcToken, findAdc } from "./google_adc.ts";

export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

/** Google's token endpoint, when the key names none. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** The scope Vertex AI needs. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** A token is renewed this long before it expires. */
const EARLY_MS = 60_000;
/** The token exchange is not allowed to hang a request for longer than this. */
const EXCHANGE_TIMEOUT_MS = 15_000;

interface Cached {
  token: string;
  expiresAt: number;
}

/**
 * Imported signing keys per PEM text: a cache of immutable data (the same text always imports
 * to the same key), so it may outlive an app; per-app token state is `GoogleTokens`.
 */
const signingKeys = new Map<string, Promise<CryptoKey>>();

/** A failed exchange, with the endpoint's status and a secret-free message. */
export class GoogleAuthError extends Error {
  /** How the engine labels the failed attempt. */
  readonly outcome = "auth";
  constructor(message: string, readonly status: number | null) {
    super(message);
    this.name = "GoogleAuthError";
  }
}

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const b64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function signingKey(pem: string): Promise<CryptoKey> {
  let key = signingKeys.get(pem);
  if (!key) {
    if (pem.includes("BEGIN RSA PRIVATE KEY")) {
      return Promise.reject(
        new GoogleAuthError("the service account key is PKCS#1; Google keys are PKCS#8", null),
      );
    }
    key = crypto.subtle.importKey(
      "pkcs8",
      pemToDer(pem),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    key.catch(() => signingKeys.delete(pem));
    signingKeys.set(pem, key);
  }
  return key;
}

/** The signed JWT assertion for one exchange. */
export async function signAssertion(
  sa: ServiceAccount,
  now = Date.now(),
  scope = CLOUD_PLATFORM_SCOPE,
): Promise<string> {
  const enc = new TextEncoder();
  const iat = Math.floor(now / 1000);
  const header = {
    alg: "RS256",
    typ: "JWT",
    ...(sa.private_key_id ? { kid: sa.private_key_id } : {}),
  };
  const claims = {
    iss: sa.client_email,
    scope,
    aud: sa.token_uri ?? GOOGLE_TOKEN_URL,
    iat,
    exp: iat + 3600,
  };
  const input = `${base64url(enc.encode(JSON.stringify(header)))}.${
    base64url(enc.encode(JSON.stringify(claims)))
  }`;
  const key = await signingKey(sa.private_key);
  const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, enc.encode(input));
  return `${input}.${base64url(new Uint8Array(sig))}`;
}

async function exchange(sa: ServiceAccount, doFetch: typeof fetch): Promise<Cached> {
  const tokenUri = sa.token_uri ?? GOOGLE_TOKEN_URL;
  const assertion = await signAssertion(sa);
  const started = Date.now();
  let res: Response;
  try {
    res = await doFetch(tokenUri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion,
      }),
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new GoogleAuthError(`Google token endpoint unreachable: ${why}`, null);
  }
  const body = await res.json().catch(() => null) as Record<string, unknown> | null;
  if (!res.ok || typeof body?.access_token !== "string") {
    const detail = body?.error_description ?? body?.error ?? `HTTP ${res.status}`;
    throw new GoogleAuthError(
      `Google token endpoint refused the service account ${sa.client_email}: ${detail}`,
      res.status,
    );
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
  return { token: body.access_token, expiresAt: started + expiresIn * 1000 };
}

const cacheKey = (sa: ServiceAccount) =>
  `${sa.client_email}\n${sa.token_uri ?? GOOGLE_TOKEN_URL}\n${sa.private_key_id ?? sa.private_key}`;

/** Why the library failed, from the OAuth error it got when there is one (never a request). */
function reason(err: unknown): string {
  const data = (err as { response?: { data?: Record<string, unknown> } })?.response?.data;
  if (data && typeof data.error === "string") {
    return [data.error, data.error_description].filter((x) => typeof x === "string").join(": ");
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

/** The key under which the Application Default Credentials' token is cached. */
const ADC_KEY = "adc";

/**
 * One app's Google access tokens: cached per service account (or for the Application Default
 * Credentials) until a minute before they expire, and fetched once for all concurrent requests
 * (single-flight per key).
 */
export class GoogleTokens {
  #tokens = new Map<string, Cached>();
  #inflight = new Map<string, Promise<Cached>>();
  #adc: Promise<AdcSource> | null = null;
  #fetch: typeof fetch;

  constructor(doFetch: typeof fetch = (input, init) => fetch(input, init)) {
    this.#fetch = doFetch;
  }

  /** An access token for the service account: cached, or exchanged once for all who wait. */
  accessToken(sa: ServiceAccount, now = Date.now()): Promise<string> {
    return this.#cached(cacheKey(sa), () => exchange(sa, this.#fetch), now);
  }

  /** The token a Vertex provider sends: its service account's, or the default credentials'. */
  async tokenFor(provider: Provider): Promise<string> {
    if (provider.googleCredentials !== "default") {
      return await this.accessToken(serviceAccountOf(provider.serviceAccountJson ?? ""));
    }
    const source = await this.adc(provider.projectId);
    if (source.kind === "service_account") return await this.accessToken(source.key);
    return await this.#cached(ADC_KEY, () =>
      adcToken(source.client).catch((err) => {
        // A revoked login may be replaced by a new one: look for the credentials again.
        this.#adc = null;
        throw new GoogleAuthError(`Google Application Default Credentials: ${reason(err)}`, null);
      }));
  }

  /** Forgets a token the API refused (a 401), unless a newer one already replaced it. */
  invalidate(sa: ServiceAccount, token: string): void {
    const key = cacheKey(sa);
    if (this.#tokens.get(key)?.token === token) this.#tokens.delete(key);
  }

  /** `invalidate` for whatever credentials the provider uses. */
  async invalidateFor(provider: Provider, token: string): Promise<void> {
    if (provider.googleCredentials !== "default") {
      return this.invalidate(serviceAccountOf(provider.serviceAccountJson ?? ""), token);
    }
    const source = await this.adc(provider.projectId);
    if (source.kind === "service_account") return this.invalidate(source.key, token);
    if (this.#tokens.get(ADC_KEY)?.token !== token) return;
    this.#tokens.delete(ADC_KEY);
    expireAdcToken(source.client);
  }

  /** The Application Default Credentials, found once (a failed search is tried again). */
  adc(projectId?: string): Promise<AdcSource> {
    if (!this.#adc) {
      const found = findAdc(this.#fetch, projectId).catch((err) => {
        this.#adc = null;
        throw new GoogleAuthError(`Google Application Default Credentials: ${reason(err)}`, null);
      });
      this.#adc = found;
    }
    return this.#adc;
  }

  /** Who a Vertex provider signs in as (an e-mail), and with what; never a secret. */
  async identityFor(provider: Provider): Promise<{ source: string; email: string | null }> {
    if (provider.googleCredentials !== "default") {
      const sa = serviceAccountOf(provider.serviceAccountJson ?? "");
      return { source: "service account key", email: sa.client_email };
    }
    const source = await this.adc(provider.projectId);
    if (source.kind === "service_account") {
      return { source: "ADC: service account key", email: source.key.client_email };
    }
    if (source.type !== "authorized_user") {
      return { source: `ADC: ${source.type}`, email: await source.email().catch(() => null) };
    }
    // A user's e-mail is in the ID token of the last refresh; get one if none happened yet.
    await this.tokenFor(provider);
    return {
      source: "ADC: authorized_user",
      email: emailOfIdToken(source.client.credentials?.id_token) ?? source.account,
    };
  }

  async #cached(key: string, fetchToken: () => Promise<Cached>, now = Date.now()) {
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt - now > EARLY_MS) return cached.token;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = fetchToken().then((fresh) => {
        this.#tokens.set(key, fresh);
        return fresh;
      }).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return (await pending).token;
  }
}

/** Parsed service accounts per key text: a cache of immutable data, bounded. */
const parsedKeys = new Map<string, ServiceAccount>();

/** The provider's service account, parsed once per distinct key text. */
export function serviceAccountOf(json: string): ServiceAccount {
  let sa = parsedKeys.get(json);
  if (!sa) {
    const parsed = parseServiceAccount(json);
    if (!parsed.ok) throw new GoogleAuthError(parsed.error, null);
    sa = parsed.key;
    if (parsedKeys.size > 64) parsedKeys.clear();
    parsedKeys.set(json, sa);
  }
  return sa;
}
