/**
 * What Detour checks at boot when it runs on Deno Deploy (DENO_DEPLOYMENT_ID is set): an
 * ADMIN_TOKEN secret, and a KV database that opens. Each problem found is shown
 * on /health and the admin page; none of them stops the proxy.
 */

/** One thing wrong with a deployment, and what to do about it. */
export interface DeployProblem {
  code: "admin_token_missing" | "kv_missing";
  message: string;
}

/** The exact instruction shown when ADMIN_TOKEN is unset on Deploy. */
export const ADMIN_TOKEN_MISSING =
  "ADMIN_TOKEN is not set. On Deno Deploy Detour never generates or prints an admin token. " +
  "Set one as a secret for production and development, then redeploy: " +
  "deno deploy env add ADMIN_TOKEN <token> --secret, then " +
  "deno deploy env update-contexts ADMIN_TOKEN Production Development (see docs/deploy.md).";

const KV_HOW =
  "Provision and assign a KV database: deno deploy database provision <name> --kind denokv, " +
  "then deno deploy database assign <name> --app <app>, and deploy again (see docs/deploy.md). " +
  "Until then config, cooldowns, usage and access keys made here live only in this instance; " +
  "the proxy keeps serving.";

/** Deno.openKv() failed on Deploy: Detour runs on an in-memory store instead. */
export function kvMissing(err: unknown): DeployProblem {
  const reason = err instanceof Error ? err.message : String(err);
  return { code: "kv_missing", message: `No KV database could be opened (${reason}). ${KV_HOW}` };
}

/** Where the in-memory fallback store notes why it stands in for the database. */
export const KV_MISSING_KEY = ["detour", "deploy", "kv_missing"] as const;

/**
 * The problem `openKv` noted in the store it fell back to, or null for a real database. Deploy
 * documents no way to ask whether a database is assigned short of `Deno.openKv()` failing, so
 * that failure is the one signal used (a guess from versionstamps would alarm on new databases).
 */
export async function kvProblemOf(kv: Deno.Kv): Promise<DeployProblem | null> {
  const noted = await kv.get<string>(KV_MISSING_KEY);
  return noted.value === null ? null : { code: "kv_missing", message: noted.value };
}
