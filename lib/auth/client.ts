/** Who is calling: the credential to pass through, and whether stored keys may be spent. */
import { cachedSha256Hex } from "../crypto.ts";
import { isLocalHost } from "../http/local_host.ts";
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
  /** May spend stored keys: a valid access key, or a local caller while no access key exists. */
  authorized: boolean;
  /** The access key's label (for logs), when one was presented. */
  accessKey: string | null;
  /** An `x-detour-key` was sent but is not a valid access key. */
  badAccessKey: boolean;
  /**
   * Why a loopback peer was not trusted although no access key exists (a foreign Host or a
   * browser origin), worded for the client and naming the setting to change; otherwise null.
   */
  loopbackRefused?: string | null;
}

/** The settings loopback trust depends on (the live config has both). */
export interface LoopbackSettings {
  /** Browser origins allowed to call /v1/*; only ones listed by name get loopback trust. */
  corsOrigins: readonly string[];
  /** Extra Host names that mean this machine (besides localhost, IP literals, its hostname). */
  localHosts?: readonly string[];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

/**
 * Headers a relay adds for the client behind it: a request carrying one came through a reverse
 * proxy, tunnel or CDN, so its loopback peer says nothing about who sent it.
 */
const RELAY_HEADERS = [
  "x-forwarded-for",
  "forwarded",
  "x-real-ip",
  "cf-connecting-ip",
  "true-client-ip",
  "via",
  "x-forwarded-host",
  "fastly-client-ip",
  "x-client-ip",
];

/** A direct loopback peer; a request relayed by a local reverse proxy does not count. */
export function isLoopbackClient(remoteHost: string | null, headers: Headers): boolean {
  if (!remoteHost || !LOOPBACK.test(remoteHost)) return false;
  return !RELAY_HEADERS.some((name) => headers.has(name));
}

/**
 * Why a direct loopback request may still not be trusted: a Host that is not a local name (a
 * DNS-rebinding page), or a browser origin not listed by name in `corsOrigins` (`*` lets any
 * site read answers, so it cannot vouch for a site spending stored keys).
 */
function loopbackDoubt(headers: Headers, settings: LoopbackSettings): string | null {
  const host = headers.get("host");
  if (!isLocalHost(host, settings.localHosts)) {
    return `loopback clients are trusted only at a local host name, and Host "${
      (host ?? "").slice(0, 100)
    }" is not one (add it to localHosts in the config if it names this machine)`;
  }
  const origin = headers.get("origin");
  if (origin !== null && !settings.corsOrigins.includes(origin)) {
    return `browser pages are trusted only from origins listed in corsOrigins, and "${
      origin.slice(0, 100)
    }" is not listed by name`;
  }
  return null;
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
  settings: LoopbackSettings = { corsOrigins: [] },
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
  const loopback = accessKeys.empty && isLoopbackClient(remoteHost, headers);
  const doubt = loopback ? loopbackDoubt(headers, settings) : null;
  return {
    credential,
    authorized: owner !== null || (loopback && doubt === null),
    accessKey: owner?.label ?? null,
    badAccessKey: detourKey !== null && owner === null,
    loopbackRefused: owner === null ? doubt : null,
  };
}

/** What `providersClosedTo` needs of a provider. */
export interface ProviderGate {
  id: string;
  enabled: boolean;
  passthrough: boolean;
}

/** Why a provider is closed to a caller, as the plan words it. */
export type ClosedReason = "disabled" | "no_credential" | "unauthorized";

/**
 * Why an enabled provider cannot serve `client`, or null when it can: a passthrough provider
 * needs the caller's own credential, a stored-key one needs authorisation. The one rule both
 * the plan and the header-only gate apply.
 */
export function credentialGap(
  passthrough: boolean,
  client: ClientContext,
): "no_credential" | "unauthorized" | null {
  if (passthrough) return client.credential !== null ? null : "no_credential";
  return client.authorized ? null : "unauthorized";
}

/**
 * Decided from the headers alone, before any body is read: null when some enabled provider is
 * open to this caller (a passthrough provider needs the caller's own credential, a stored-key
 * one needs authorisation); otherwise why each provider is closed to it.
 */
export function providersClosedTo(
  providers: readonly ProviderGate[],
  client: ClientContext,
): { provider: string; reason: ClosedReason }[] | null {
  const closed: { provider: string; reason: ClosedReason }[] = [];
  for (const p of providers) {
    const reason = p.enabled ? credentialGap(p.passthrough, client) : "disabled";
    if (reason === null) return null;
    closed.push({ provider: p.id, reason });
  }
  return closed;
}
