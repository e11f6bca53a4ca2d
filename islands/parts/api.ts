/** The admin API from the page: same-origin fetch with the session's CSRF token. */
import type { Store } from "./store.ts";

export interface ApiResult<T = unknown> {
  ok: boolean;
  status: number;
  data: T;
  headers: Headers;
}

/** Issues the server found, as `{ path, message }`. */
export interface ApiIssue {
  path: string;
  message: string;
}

export interface ApiErrorBody {
  error?: { message?: string; issues?: ApiIssue[] };
}

export async function api<T = unknown>(
  store: Store,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const result = await send<T>(store, method, path, body, headers);
  // Logged in again in another tab: the new session has a new CSRF token. Fetch it, retry once.
  if (result.status === 403 && method !== "GET" && /CSRF/.test(errorMessage(result))) {
    const fresh = await send<{ csrf: string | null }>(
      store,
      "GET",
      "/admin/api/session",
      undefined,
      {},
    );
    if (fresh.ok && fresh.data.csrf && fresh.data.csrf !== store.data.csrf) {
      store.data.csrf = fresh.data.csrf;
      // The logout form (server-rendered, outside the islands) carries the token too.
      for (const input of document.querySelectorAll<HTMLInputElement>("input[name=_csrf]")) {
        input.value = fresh.data.csrf;
      }
      return await send<T>(store, method, path, body, headers);
    }
  }
  return result;
}

async function send<T>(
  store: Store,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(method !== "GET" ? { "x-csrf-token": store.data.csrf } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (err) {
    return {
      ok: false,
      status: 0,
      data: { error: { message: `Detour did not answer (${String(err)})` } } as T,
      headers: new Headers(),
    };
  }
  if (res.status === 401) store.sessionLost.value = true;
  else if (res.ok && store.sessionLost.value) store.sessionLost.value = false;
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    data = { error: { message: `HTTP ${res.status}` } };
  }
  return { ok: res.ok, status: res.status, data: data as T, headers: res.headers };
}

/** The message of an error answer. */
export function errorMessage(result: ApiResult): string {
  const body = result.data as ApiErrorBody | null;
  return body?.error?.message ?? `HTTP ${result.status}`;
}
