/**
 * Cooldown targets: the strings that name what cools down, counts outcomes and holds a quota.
 * They are stored in KV (cooldowns, health counts, quota counters), so their form never changes:
 *
 * - `p:<provider>`: a whole provider;
 * - `k:<provider>:<keyhash>`: one stored key (the first 16 hex digits of its SHA-256);
 * - `c:<provider>:<credhash>`: one client's own credential on a passthrough provider;
 * - `b:<billing path>`: a billing path's outcome counts (subscription, api_key, …).
 *
 * This module is the only place that builds or reads them, as lib/store/keys.ts is for KV keys.
 *
 * @example
 * ```ts
 * import { parseTarget, targets } from "./targets.ts";
 * const t = targets.key("zai", "0123456789abcdef0123");
 * console.assert(t === "k:zai:0123456789abcdef");
 * console.assert(parseTarget(t)?.kind === "key");
 * ```
 */

/** Hex digits of a SHA-256 kept in key and client targets: enough to tell credentials apart. */
const HASH_CHARS = 16;

/** A target read back: what cools down, for which provider. */
export type Target =
  | { kind: "provider"; provider: string }
  | { kind: "key"; provider: string; hash: string }
  | { kind: "client"; provider: string; hash: string }
  | { kind: "billing"; path: string };

/** Builds targets; hashes are the hex SHA-256 of the credential (cut to 16 digits here). */
export const targets = {
  /** A whole provider. */
  provider: (id: string): string => `p:${id}`,
  /** One stored key of a provider. */
  key: (id: string, hash: string): string => `k:${id}:${hash.slice(0, HASH_CHARS)}`,
  /** One client's own credential on a passthrough provider. */
  client: (id: string, hash: string): string => `c:${id}:${hash.slice(0, HASH_CHARS)}`,
  /** A billing path's outcome counts. */
  billing: (path: string): string => `b:${path}`,
} as const;

/** Reads a target; null for a string that is not one. Provider ids never contain `:`. */
export function parseTarget(s: string): Target | null {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  if (kind === "b:") return rest ? { kind: "billing", path: rest } : null;
  if (kind === "p:") {
    return rest && !rest.includes(":") ? { kind: "provider", provider: rest } : null;
  }
  if (kind !== "k:" && kind !== "c:") return null;
  const colon = rest.indexOf(":");
  if (colon < 1 || colon === rest.length - 1) return null;
  const provider = rest.slice(0, colon), hash = rest.slice(colon + 1);
  return kind === "k:" ? { kind: "key", provider, hash } : { kind: "client", provider, hash };
}

/** True for a client credential's target (`c:`): one client's affair, not the provider's. */
export const isClientTarget = (s: string): boolean => s.startsWith("c:");

/** The prefix every client-credential target of one provider starts with. */
export const clientPrefix = (id: string): string => `c:${id}:`;

/** The provider a provider, key or client target belongs to (null for billing targets). */
export function providerOfTarget(s: string): string | null {
  const t = parseTarget(s);
  return t && t.kind !== "billing" ? t.provider : null;
}
