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
