/** Who is calling: the credential to pass through, and whether stored keys may be spent. */
import { cachedSha256Hex } from "../crypto.ts";
import type { AccessKeyIndex } from "./access_key_index.ts";

/** The client's own upstream credential, as it sent it. */
export interface ClientCredential {
  /** Header it came in (and goes out) as: `x-api-key` or `authorization` (Bearer). */
  header: "x-api-key" | "authorization";
  value: string;
  /** SHA-256 hex: identifies the credential in cooldowns without keeping it. */
  hash: string;
}

/** The caller as the fallback engine needs it. */
export interface ClientContext {
  credential: ClientCredential | null;
  /** May spend stored keys: a valid access key, or loopback while no access key exists. */
  authorized: boolean;
  /** The access key's label (for logs), when one was presented. */
  accessKey: string | null;
  /** An `x-detour-key` was sent but is not a valid access key. */
  badAccessKey: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

/** A direct loopback peer; a request relayed by a local reverse proxy does not count. */
export function isLoopbackClient(remoteHost: string | null, headers: Headers): boolean {
  if (!remoteHost || !LOOPBACK.test(remoteHost)) return false;
  return !headers.has("x-forwarded-for") && !headers.has("forwarded") && !headers.has("x-real-ip");
}

function bearer(headers: Headers): string | null {
  const auth = headers.get("authorization");
  const match = auth?.match(/^Bearer\s+(.+)$/i);
  return match ? match[1].trim() : null;
}

/** Reads the caller's credential and access key from the request headers. */
export async function resolveClient(
  headers: Headers,
  remoteHost: string | null,
  accessKeys: AccessKeyIndex,
): Promise<ClientContext> {
  const apiKey = headers.get("x-api-key")?.trim() || null;
  const token = apiKey ? null : bearer(headers);
  const presented = apiKey ?? token;
  const detourKey = headers.get("x-detour-key")?.trim() || null;

  let owner = detourKey ? await accessKeys.lookup(detourKey) : null;
  let credential: ClientCredential | null = null;
  if (presented) {
    // An access key sent as the API key authorises the request and is never forwarded,
    // even when x-detour-key carried one too.
    const asAccessKey = await accessKeys.lookup(presented);
    if (asAccessKey) owner ??= asAccessKey;
    else {
      credential = {
        header: apiKey ? "x-api-key" : "authorization",
        value: presented,
        hash: await cachedSha256Hex(presented),
      };
    }
  }
  const loopbackOpen = accessKeys.empty && isLoopbackClient(remoteHost, headers);
  return {
    credential,
    authorized: owner !== null || loopbackOpen,
    accessKey: owner?.label ?? null,
    badAccessKey: detourKey !== null && owner === null,
  };
}
