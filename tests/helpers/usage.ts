/** Helpers for tests that read usage, the request log or the dashboard through Detour. */
import {
  anthropicErrorResponse,
  anthropicMessage,
  anthropicSse,
  closeAll,
  mockUpstream,
  type RunningDetour,
  sseResponse,
  startDetour,
  waitFor,
} from "./harness.ts";

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

/** The stored key of the backup in `startFailingPrimaryChain` (tests check it never leaks). */
export const BACKUP_KEY = "sk-backup-stored-secret-0123456789abcdef";

/**
 * The dashboard's scenario: a passthrough primary that always answers 529 (it cools down for
 * 300 s and its circuit degrades after one failure) and a backup with a stored key that serves
 * every model but `bad-model`, which it refuses with a 400.
 */
export async function startFailingPrimaryChain(): Promise<{
  detour: RunningDetour;
  primaryCalls: () => number;
  close(): Promise<void>;
}> {
  let primaryCalls = 0;
  const primary = mockUpstream(() => {
    primaryCalls++;
    return anthropicErrorResponse(529, "overloaded_error", "Overloaded");
  });
  const backup = mockUpstream((_req, body) => {
    const { model, stream } = JSON.parse(body);
    if (model === "bad-model") {
      return anthropicErrorResponse(400, "invalid_request_error", "no such model");
    }
    return stream
      ? sseResponse(anthropicSse("from backup", { model }))
      : Response.json(anthropicMessage("from backup", model));
  });
  const detour = await startDetour({
    providers: [
      {
        id: "primary",
        name: "Anthropic",
        type: "anthropic",
        baseUrl: primary.url,
        passthrough: true,
      },
      { id: "backup", name: "Backup", type: "anthropic", baseUrl: backup.url, keys: [BACKUP_KEY] },
    ],
    cooldownSeconds: 300,
    circuitBreaker: { degradedAfter: 1, openAfter: 3 },
  });
  return {
    detour,
    primaryCalls: () => primaryCalls,
    close: () => closeAll(detour, primary, backup),
  };
}
