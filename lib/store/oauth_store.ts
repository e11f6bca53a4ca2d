/**
 * A Claude subscription provider's live OAuth tokens in KV, one entry per provider, apart from
 * the config document: the config's (or credentials file's) tokens only seed it, and every
 * refresh rotates the refresh token, which is written back with a versionstamp check so two
 * instances never both spend the same one.
 */
import * as z from "zod";
import { KV } from "./keys.ts";

const StateSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Epoch ms; 0 when unknown (refresh before first use). */
  expiresAt: z.number(),
  /** Which seed these tokens descend from (`config:<hash>`, `file:<hash>`): a new seed resets them. */
  seed: z.string(),
  source: z.enum(["config", "file"]),
  refreshedAt: z.string().nullable(),
  refreshes: z.number(),
  /** An instance refreshing right now; others wait for its result instead of refreshing too. */
  lease: z.object({ until: z.number(), by: z.string() }).nullable(),
  /** The last refresh failure; `permanent` when the refresh token itself was refused. */
  error: z.object({ message: z.string(), at: z.string(), permanent: z.boolean() }).nullable(),
});

export type OAuthTokenState = z.infer<typeof StateSchema>;

/** The stored state (null when none, or unreadable) and the versionstamp to write against. */
export async function readOAuthTokens(
  kv: Deno.Kv,
  providerId: string,
): Promise<{ state: OAuthTokenState | null; versionstamp: string | null }> {
  const entry = await kv.get(KV.oauthTokens(providerId));
  const parsed = StateSchema.safeParse(entry.value);
  return { state: parsed.success ? parsed.data : null, versionstamp: entry.versionstamp };
}

/**
 * Writes the state only if the entry is still at `expected` (null: only if there is none).
 * Returns the new versionstamp, or null when someone else wrote in between.
 */
export async function writeOAuthTokens(
  kv: Deno.Kv,
  providerId: string,
  state: OAuthTokenState,
  expected: string | null,
): Promise<string | null> {
  const key = KV.oauthTokens(providerId);
  try {
    const result = await kv.atomic().check({ key, versionstamp: expected }).set(key, state)
      .commit();
    return result.ok ? result.versionstamp : null;
  } catch (err) {
    // Two processes on one local KV file: a busy database wrote nothing; re-read and retry.
    if (err instanceof Error && /database is locked|busy/i.test(err.message)) return null;
    throw err;
  }
}

/** Forgets a provider's tokens (the next request seeds them again). */
export async function deleteOAuthTokens(kv: Deno.Kv, providerId: string): Promise<void> {
  await kv.delete(KV.oauthTokens(providerId));
}
