/**
 * A Claude subscription (Pro/Max) as a provider: `type: "anthropic"` with OAuth credentials
 * (access token, refresh token, expiry — pasted, or read from Claude Code's credentials file).
 * Detour refreshes the access token shortly before it expires and after a 401, once for all
 * concurrent requests of an instance (single-flight) and once for all instances (a lease in KV);
 * the rotated refresh token is written back with a versionstamp check, so no two instances ever
 * spend the same refresh token. A refused refresh marks the provider unhealthy with a message
 * the admin status shows, and the request falls back.
 *
 * Requests then go out exactly as for a stored `sk-ant-oat…` token: Bearer plus the OAuth beta.
 */
import type { Provider } from "../config/schema.ts";
import { type OAuthTokenState, readOAuthTokens, writeOAuthTokens } from "../store/oauth_store.ts";
import { type FileTokens, type Seed, seedOf, writeCredentialsFile } from "./claude_credentials.ts";
import { OAuthRefreshError } from "./claude_oauth_error.ts";
import { type AttemptCall, retryOnce } from "../fallback/interceptors.ts";
import { targets } from "../fallback/targets.ts";
import { appendToList } from "../http/headers.ts";
import { abortable } from "./abortable.ts";
import {
  anthropicModelEntries,
  anthropicModels,
  anthropicRequest,
  OAUTH_BETA,
} from "./anthropic.ts";
import type { ProviderAdapter } from "./types.ts";

/** Claude's OAuth token endpoint and Claude Code's public client id. */
export const CLAUDE_TOKEN_URL = "https://platform.claude.com/v1/oauth/token";
export const CLAUDE_CODE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

/** Refresh this long before the access token expires. */
export const REFRESH_EARLY_MS = 5 * 60_000;
/** How long one instance may hold the refresh lease. */
const LEASE_MS = 30_000;
/** How long the token endpoint may take. */
const REFRESH_TIMEOUT_MS = 15_000;
/** After a transient refresh failure, wait this long before trying again. */
const RETRY_TRANSIENT_MS = 5_000;

/** True for a provider that holds subscription OAuth credentials. */
export function isSubscription(provider: Provider): boolean {
  return provider.type === "anthropic" &&
    (provider.oauthRefreshToken !== undefined || provider.oauthCredentialsFile !== undefined);
}

/** What the admin status shows of a subscription provider (no secrets). */
export interface SubscriptionStatus {
  source: "config" | "file";
  healthy: boolean;
  accessTokenExpiresAt: string | null;
  lastRefreshAt: string | null;
  refreshes: number;
  error: string | null;
  errorAt: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One instance's view of the subscription tokens, shared through KV. */
export class ClaudeOAuth {
  #kv: Deno.Kv;
  #fetch: typeof fetch;
  #me = crypto.randomUUID();
  #inflight = new Map<string, Promise<string>>();
  #log: (msg: string, fields: Record<string, unknown>) => void;

  constructor(
    kv: Deno.Kv,
    opts: {
      fetch?: typeof fetch;
      log?: (msg: string, fields: Record<string, unknown>) => void;
    } = {},
  ) {
    this.#kv = kv;
    this.#fetch = opts.fetch ?? fetch;
    this.#log = opts.log ?? (() => {});
  }

  /** A valid access token, refreshed first when it is about to expire. */
  accessToken(provider: Provider): Promise<string> {
    return this.#single(provider, undefined);
  }

  /** A fresh access token after the API refused `rejected` (a 401). */
  renewAfterRejection(provider: Provider, rejected: string): Promise<string> {
    return this.#single(provider, rejected);
  }

  /** Joins a refresh already under way in this instance, else starts one. */
  async #single(provider: Provider, rejected: string | undefined): Promise<string> {
    const running = this.#inflight.get(provider.id);
    if (running) {
      const token = await running;
      if (rejected === undefined || token !== rejected) return token;
    }
    const pending = this.#obtain(provider, rejected).finally(() => {
      if (this.#inflight.get(provider.id) === pending) this.#inflight.delete(provider.id);
    });
    this.#inflight.set(provider.id, pending);
    return await pending;
  }

  async #obtain(provider: Provider, rejected: string | undefined): Promise<string> {
    const id = provider.id;
    const deadline = Date.now() + LEASE_MS + REFRESH_TIMEOUT_MS;
    while (true) {
      if (Date.now() > deadline) {
        throw new OAuthRefreshError(
          "timed out waiting for another instance's token refresh",
          false,
        );
      }
      const { state, versionstamp } = await readOAuthTokens(this.#kv, id);
      const seed = await seedOf(provider);
      if (!state || state.seed !== seed.id) {
        // First use, or the user pasted new credentials: start over from the seed.
        await this.#write(id, this.#fromSeed(seed, await seed.tokens()), versionstamp);
        continue;
      }
      const now = Date.now();
      const stale = rejected !== undefined
        ? state.accessToken === rejected
        : state.expiresAt - now < REFRESH_EARLY_MS;
      if (!stale) return state.accessToken;

      // Claude Code may have refreshed the file's tokens itself: newer ones there win.
      const file = seed.source === "file" ? await seed.tokens().catch(() => null) : null;
      if (
        file && file.refreshToken !== state.refreshToken && file.expiresAt > state.expiresAt &&
        file.accessToken !== rejected
      ) {
        await this.#write(id, { ...state, ...file, lease: null, error: null }, versionstamp);
        continue;
      }
      if (state.error?.permanent) throw new OAuthRefreshError(state.error.message, true);
      const usable = rejected === undefined && state.accessToken !== "" && state.expiresAt > now;
      if (state.error && Date.parse(state.error.at) > now - RETRY_TRANSIENT_MS) {
        if (usable) return state.accessToken;
        throw new OAuthRefreshError(state.error.message, false);
      }
      if (state.lease && state.lease.until > now && state.lease.by !== this.#me) {
        // Another instance is refreshing: wait for its tokens rather than spend the same one.
        await sleep(50 + Math.random() * 50);
        continue;
      }
      const leased = { ...state, lease: { until: now + LEASE_MS, by: this.#me } };
      const leaseStamp = await this.#write(id, leased, versionstamp);
      if (leaseStamp === null) continue;
      return await this.#refreshLeased(provider, state, seed, leaseStamp, usable);
    }
  }

  /** Refreshes under this instance's lease and stores the new tokens (see `#obtain`). */
  async #refreshLeased(
    provider: Provider,
    state: OAuthTokenState,
    seed: Seed,
    leaseStamp: string,
    usable: boolean,
  ): Promise<string> {
    const id = provider.id;
    let fresh: FileTokens;
    try {
      fresh = await this.#refresh(provider, state.refreshToken);
    } catch (err) {
      const failure = err instanceof OAuthRefreshError
        ? err
        : new OAuthRefreshError(String(err), false);
      this.#log("Claude subscription token refresh failed", {
        provider: id,
        permanent: failure.permanent,
        error: failure.message,
      });
      await this.#write(id, {
        ...state,
        lease: null,
        error: {
          message: failure.message,
          at: new Date().toISOString(),
          permanent: failure.permanent,
        },
      }, leaseStamp);
      if (!failure.permanent && usable) return state.accessToken;
      throw failure;
    }
    const next: OAuthTokenState = {
      ...state,
      ...fresh,
      lease: null,
      error: null,
      refreshedAt: new Date().toISOString(),
      refreshes: state.refreshes + 1,
    };
    // Normally the lease still holds. If it ran out while the endpoint answered, the old
    // refresh token is spent anyway, so these tokens are the only valid ones: keep them
    // whatever was written meanwhile (retrying a busy database a few times).
    let stamp = await this.#write(id, next, leaseStamp);
    for (let i = 0; stamp === null && i < 20; i++) {
      const current = await readOAuthTokens(this.#kv, id);
      stamp = await this.#write(id, next, current.versionstamp);
    }
    if (stamp === null) {
      this.#log("storing refreshed Claude subscription tokens failed", { provider: id });
    }
    this.#log("Claude subscription token refreshed", {
      provider: id,
      expiresAt: new Date(next.expiresAt).toISOString(),
    });
    if (seed.source === "file" && provider.oauthCredentialsFile) {
      await writeCredentialsFile(provider.oauthCredentialsFile, fresh).catch((err) =>
        this.#log("writing the credentials file failed", { provider: id, err: String(err) })
      );
    }
    return next.accessToken;
  }

  /** Writes against `expected`; after a conflict, pauses a moment before the caller re-reads. */
  async #write(id: string, state: OAuthTokenState, expected: string | null) {
    const stamp = await writeOAuthTokens(this.#kv, id, state, expected);
    if (stamp === null) await sleep(5 + Math.random() * 20);
    return stamp;
  }

  #fromSeed(seed: Seed, tokens: FileTokens): OAuthTokenState {
    return {
      ...tokens,
      seed: seed.id,
      source: seed.source,
      refreshedAt: null,
      refreshes: 0,
      lease: null,
      error: null,
    };
  }

  /** One refresh-token grant at the token endpoint. */
  async #refresh(provider: Provider, refreshToken: string) {
    const url = provider.oauthTokenUrl ?? CLAUDE_TOKEN_URL;
    const started = Date.now();
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: provider.oauthClientId ?? CLAUDE_CODE_CLIENT_ID,
        }),
        signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new OAuthRefreshError(`Claude token endpoint unreachable: ${why}`, false);
    }
    const body = await res.json().catch(() => null) as Record<string, unknown> | null;
    if (!res.ok || typeof body?.access_token !== "string") {
      const code = typeof body?.error === "string" ? body.error : `HTTP ${res.status}`;
      const detail = typeof body?.error_description === "string"
        ? `: ${body.error_description}`
        : "";
      // The refresh token itself was refused (expired, revoked, or already used): only new
      // credentials help. Anything else (5xx, 429) is worth another try later.
      const permanent = res.status === 400 || res.status === 401 || res.status === 403;
      throw new OAuthRefreshError(
        `Claude subscription token refresh failed (${code}${detail})` +
          (permanent ? "; sign in again and paste new OAuth credentials" : ""),
        permanent,
      );
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : refreshToken,
      expiresAt: started + expiresIn * 1000,
    };
  }

  /** The provider's token state as the admin status shows it. */
  status(provider: Provider): Promise<SubscriptionStatus> {
    return subscriptionStatus(this.#kv, provider);
  }
}

/** A subscription provider's token state as the admin status shows it (no secrets). */
export async function subscriptionStatus(
  kv: Deno.Kv,
  provider: Provider,
): Promise<SubscriptionStatus> {
  const { state } = await readOAuthTokens(kv, provider.id);
  const source = provider.oauthCredentialsFile ? "file" : "config";
  if (!state) {
    return {
      source,
      healthy: true,
      accessTokenExpiresAt: null,
      lastRefreshAt: null,
      refreshes: 0,
      error: null,
      errorAt: null,
    };
  }
  return {
    source: state.source,
    healthy: !state.error?.permanent && (state.error === null || state.expiresAt > Date.now()),
    accessTokenExpiresAt: state.expiresAt ? new Date(state.expiresAt).toISOString() : null,
    lastRefreshAt: state.refreshedAt,
    refreshes: state.refreshes,
    error: state.error?.message ?? null,
    errorAt: state.error?.at ?? null,
  };
}

/** The Anthropic adapter with the subscription's refreshing OAuth token (kept by `oauth`). */
export function claudeSubscriptionAdapter(
  oauth: ClaudeOAuth,
  doFetch: typeof fetch,
): ProviderAdapter {
  return {
    async prepare(call: AttemptCall): Promise<Request> {
      const { req, attempt, signal } = call;
      const provider = attempt.provider;
      const token = await abortable(oauth.accessToken(provider), signal);
      call.token = token;
      const request = anthropicRequest(
        req,
        { ...provider, authHeader: "authorization" },
        { kind: "stored", value: token, target: attempt.credential.target },
        attempt.model,
        signal,
      );
      appendToList(request.headers, "anthropic-beta", OAUTH_BETA);
      return request;
    },

    toAnthropic: (upstream) => upstream,

    async listModels(provider, _credential, headers, signal): Promise<string[]> {
      const token = await abortable(oauth.accessToken(provider), signal);
      return anthropicModels(
        doFetch,
        { ...provider, authHeader: "authorization" },
        { kind: "stored", value: token, target: targets.provider(provider.id) },
        headers,
        signal,
      );
    },

    async listModelEntries(provider, _credential, headers, signal) {
      const token = await abortable(oauth.accessToken(provider), signal);
      return anthropicModelEntries(
        doFetch,
        { ...provider, authHeader: "authorization" },
        { kind: "stored", value: token, target: targets.provider(provider.id) },
        headers,
        signal,
      );
    },

    // A 401 after the token was refused: renew exactly that token and send once more.
    interceptors: [retryOnce(async (upstream, call) => {
      if (upstream.status !== 401 || !call.token) return false;
      try {
        await oauth.renewAfterRejection(call.attempt.provider, call.token);
        return true;
      } catch {
        return false;
      }
    })],
  };
}
