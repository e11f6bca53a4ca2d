/** Forgets the generated admin token so the next start generates and prints a new one. */
import { readEnv } from "../lib/config/env.ts";
import { openKv } from "../lib/boot.ts";
import { clearAdminTokenHash } from "../lib/store/admin_token_store.ts";

const env = readEnv();
if (env.ADMIN_TOKEN) {
  console.log("ADMIN_TOKEN is set, so Detour uses it; nothing to reset.");
} else {
  const kv = await openKv(env);
  await clearAdminTokenHash(kv);
  kv.close();
  console.log(
    "The generated admin token is forgotten; the next `deno task start` prints a new one.",
  );
}
