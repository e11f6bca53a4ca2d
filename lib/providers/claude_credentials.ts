/**
 * Where a Claude subscription's OAuth tokens start from: the provider's pasted tokens, or Claude
 * Code's own credentials file (`~/.claude/.credentials.json`), which Detour also writes rotated
 * tokens back into.
 */
import type { Provider } from "../config/schema.ts";
import { cachedSha256Hex } from "../crypto.ts";
import { OAuthRefreshError } from "./claude_oauth_error.ts";

/** The OAuth part of Claude Code's `~/.claude/.credentials.json`. */
export interface FileTokens {
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
export async function writeCredentialsFile(file: string, tokens: FileTokens): Promise<void> {
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
export interface Seed {
  id: string;
  source: "config" | "file";
  tokens(): Promise<FileTokens>;
}

/** Where `provider`'s tokens start: an id naming the source, and how to read the tokens. */
export async function seedOf(provider: Provider): Promise<Seed> {
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
