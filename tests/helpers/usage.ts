/** Helpers for tests that read usage, the request log or the dashboard through Detour. */
import { type RunningDetour, waitFor } from "./harness.ts";

/** How many proxied requests Detour has finished recording (one `request` log line each). */
export function requestsLogged(detour: RunningDetour): number {
  return detour.logs.filter((l) => l.includes('"msg":"request"')).length;
}

/**
 * Waits until `n` requests were recorded (that happens after each answer went out, so a client
 * can be done before it is), then writes the outcome and usage batches out.
 */
export async function settle(detour: RunningDetour, n: number): Promise<void> {
  await waitFor(() => requestsLogged(detour) >= n, 3000, `${n} request log lines`);
  await new Promise((r) => setTimeout(r, 20));
  await Promise.all([detour.deps.outcomes.flush(), detour.deps.usage.flush()]);
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

/** Settles `n` requests, then reads the first provider's token sums for today from the status. */
export async function usageToday(detour: RunningDetour, n: number): Promise<unknown> {
  await settle(detour, n);
  return (await adminGet(detour, "/admin/api/status")).body.providers[0].usage.today;
}
