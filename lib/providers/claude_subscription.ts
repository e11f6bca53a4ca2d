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
import { objectSlot } from "../object_slot.ts";
import { targets } from "../fallback/targets.ts";
import type { Provider } from "../config/schema.ts";
import { cachedSha256Hex } from "../crypto.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import { appendToList } from "../http/headers.ts";
import { type OAuthTokenState, readOAuthTokens, writeOAuthTokens } from "../store/oauth_store.ts";
import { abortable } from "./abortable.ts";
import { anthropicAdapter, OAUTH_BETA } from "./anthropic.ts";
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

/** A refresh that failed; `permanent` when the refresh token itself was refused. */
export class OAuthRefreshError extends Error {
  /** How the engine labels the failed attempt. */
  readonly outcome = "auth";
  constructor(message: string, readonly permanent: boolean) {
    super(message);
    this.name = "OAuthRefreshError";
  }
}

/** The OAuth part of Claude Code's `~/.claude/.credentials.json`. */
interface FileTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** A path with `~/` meaning the home folder, as users paste it. */
export function expandHome(path: string): string {
  if (!path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  return home ? `${home}${path.slice(1)}` : path;
}

/** Reads Claude Code's credentials file (`{"claudeAiOauth": {accessToken, refreshToken, expiresAt}}`). */
export async function readCredentialsFile(path: string): Promise<FileTokens> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(expandHome(path)));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OAuthRefreshError(`cannot read the credentials file ${path}: ${why}`, true);
  }
  const oauth = (json.claudeAiOauth ?? json) as Record<string, unknown>;
  if (typeof oauth.refreshToken !== "string" || typeof oauth.accessToken !== "string") {
    throw new OAuthRefreshError(
      `the credentials file ${path} holds no claudeAiOauth access and refresh token`,
      true,
    );
  }
  return {
    accessToken: oauth.accessToken,
    refreshToken: oauth.refreshToken,
    expiresAt: typeof oauth.expiresAt === "number" ? oauth.expiresAt : 0,
  };
}

/** Writes rotated tokens back into the credentials file (same shape, atomically by rename). */
async function writeCredentialsFile(file: string, tokens: FileTokens): Promise<void> {
  const path = expandHome(file);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch { /* rewrite from scratch */ }
  const oauth = (json.claudeAiOauth ?? {}) as Record<string, unknown>;
  json.claudeAiOauth = { ...oauth, ...tokens };
  const tmp = `${path}.detour-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, JSON.stringify(json, null, 2), { mode: 0o600 });
  await Deno.rename(tmp, path);
}

/** Where a provider's tokens start from: an id (cheap) and the tokens (a file read, maybe). */
interface Seed {
  id: string;
  source: "config" | "file";
  tokens(): Promise<FileTokens>;
}

async function seedOf(provider: Provider): Promise<Seed> {
  const path = provider.oauthCredentialsFile;
  if (path) {
    return {
      id: `file:${(await cachedSha256Hex(path)).slice(0, 32)}`,
      source: "file",
      tokens: () => readCredentialsFile(path),
    };
  }
  const refreshToken = provider.oauthRefreshToken ?? "";
  const tokens: FileTokens = {
    accessToken: provider.oauthAccessToken ?? "",
    refreshToken,
    // Without an access token or its expiry, refresh before the first use.
    expiresAt: provider.oauthAccessToken ? provider.oauthExpiresAt ?? 0 : 0,
  };
  return {
    id: `config:${(await cachedSha256Hex(refreshToken)).slice(0, 32)}`,
    source: "config",
    tokens: () => Promise.resolve(tokens),
  };
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

      let fresh: { accessToken: string; refreshToken: string; expiresAt: number };
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

let current: ClaudeOAuth | null = null;

/** Sets the instance's token keeper (boot does, with the app's KV); returns how to undo it. */
export function configureClaudeOAuth(oauth: ClaudeOAuth): () => void {
  current = oauth;
  return () => {
    if (current === oauth) current = null;
  };
}

/** The instance's token keeper. */
export function claudeOAuth(): ClaudeOAuth {
  if (!current) throw new Error("Claude subscription tokens are not configured (no KV yet)");
  return current;
}

/** The access token each attempt was sent with, to renew exactly that one on a 401. */
const sentWith = objectSlot<string>("subscription.sentWith");

/** The Anthropic adapter with the subscription's refreshing OAuth token as credential. */
export const claudeSubscriptionAdapter: ProviderAdapter = {
  async prepare(req: InboundRequest, attempt: Attempt, signal: AbortSignal): Promise<Request> {
    const provider = attempt.provider.provider;
    const token = await abortable(claudeOAuth().accessToken(provider), signal);
    sentWith.set(attempt, token);
    const request = anthropicAdapter.prepare(req, {
      ...attempt,
      provider: { ...attempt.provider, provider: { ...provider, authHeader: "authorization" } },
      credential: { kind: "stored", value: token, target: attempt.credential.target },
    }, signal) as Request;
    appendToList(request.headers, "anthropic-beta", OAUTH_BETA);
    return request;
  },

  toAnthropic(upstream: Response): Response {
    return upstream;
  },

  async listModels(provider, _credential, headers, signal): Promise<string[]> {
    const token = await abortable(claudeOAuth().accessToken(provider), signal);
    return anthropicAdapter.listModels!(
      { ...provider, authHeader: "authorization" },
      { kind: "stored", value: token, target: targets.provider(provider.id) },
      headers,
      signal,
    );
  },

  async retryOnce(upstream: Response, _req: InboundRequest, attempt: Attempt): Promise<boolean> {
    if (upstream.status !== 401) return false;
    const used = sentWith.get(attempt);
    if (!used) return false;
    try {
      await claudeOAuth().renewAfterRejection(attempt.provider.provider, used);
      return true;
    } catch {
      return false;
    }
  },
};
