/** Helpers for tests that read usage, the request log or the dashboard through Detour. */
import { type RunningDetour, waitFor } from "./harness.ts";

/** Waits until `n` requests were logged, then writes the usage recorder's batch out. */
export async function settle(detour: RunningDetour, n: number): Promise<void> {
  await waitFor(
    () => detour.logs.filter((l) => l.includes('"msg":"request"')).length >= n,
    3000,
    `${n} request log lines`,
  );
  await new Promise((r) => setTimeout(r, 20));
  await detour.deps.usage.flush();
}

/** GET `path` with the admin token: status and parsed JSON body. */
export async function adminGet(
  detour: RunningDetour,
  path: string,
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const res = await fetch(detour.url + path, {
    headers: { authorization: `Bearer ${detour.adminToken}` },
  });
  return { status: res.status, body: await res.json() };
}
