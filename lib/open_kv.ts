/**
 * Opening the KV database, apart from the rest of boot: main.ts starts it before importing the
 * app, so the two overlap (cold start, docs/performance.md).
 */
import type { Env } from "./config/env.ts";
import { KV_MISSING_KEY, kvMissing } from "./deploy_checks.ts";

/**
 * Opens the KV database: Deno Deploy's own, or the local file at KV_PATH. On Deploy a failure
 * leaves Detour on an in-memory store (the proxy keeps serving; boot reports the problem).
 */
export async function openKv(
  env: Env,
  openDeployKv: () => Promise<Deno.Kv> = () => Deno.openKv(),
): Promise<Deno.Kv> {
  if (env.DENO_DEPLOYMENT_ID) {
    try {
      return await openDeployKv();
    } catch (err) {
      const problem = kvMissing(err);
      console.error(problem.message);
      // The stand-in store carries the reason, so boot reports it on /health and the page.
      const memory = await Deno.openKv(":memory:");
      await memory.set(KV_MISSING_KEY, problem.message);
      return memory;
    }
  }
  // A KV Connect URL (self-hosted denokv) and ":memory:" need no folder.
  if (env.KV_PATH !== ":memory:" && !/^https?:\/\//.test(env.KV_PATH)) {
    const dir = env.KV_PATH.replace(/[/\\][^/\\]*$/, "");
    if (dir && dir !== env.KV_PATH) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(env.KV_PATH);
}
