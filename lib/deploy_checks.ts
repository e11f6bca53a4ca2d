/**
 * What Detour checks at boot when it runs on Deno Deploy (DENO_DEPLOYMENT_ID is set): an
 * ADMIN_TOKEN secret, and a KV database that outlives the instance. Each problem found is shown
 * on /health and the admin page; none of them stops the proxy.
 */

/** One thing wrong with a deployment, and what to do about it. */
export interface DeployProblem {
  code: "admin_token_missing" | "kv_missing" | "kv_not_persistent";
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

/**
 * Below this commit counter a versionstamp comes from a store made moments ago. Deploy's managed
 * KV is replicated storage whose versions grow with time (FoundationDB-style commit versions,
 * about a million a second), so a fresh per-instance store stands out. This is an inference:
 * Deploy documents no way to ask whether a database is attached (docs/deploy.md says so).
 */
const FRESH_STORE_VERSIONS = 2n ** 32n;

/** Whether a versionstamp (20 hex digits: 8-byte commit version, 2-byte order) looks fresh. */
export function looksFresh(versionstamp: string): boolean {
  const version = BigInt(`0x${versionstamp.slice(0, 16) || "0"}`);
  return version < FRESH_STORE_VERSIONS;
}

/** Writes one probe key and judges the store by its versionstamp: null when it looks durable. */
export async function probeKv(kv: Deno.Kv): Promise<DeployProblem | null> {
  const res = await kv.set(["detour", "deploy_probe"], Date.now());
  if (!looksFresh(res.versionstamp)) return null;
  return {
    code: "kv_not_persistent",
    message:
      `The KV store looks new and local to this instance (versionstamp ${res.versionstamp}), ` +
      `as it is when no database is assigned to the app. ${KV_HOW}`,
  };
}
