/** Reads and replaces the config document in KV (lib/store/change_feed.ts watches it). */
import type { Config } from "../config/schema.ts";
import { parseStoredConfig } from "../config/issues.ts";
import { KV } from "./keys.ts";
import { ADMIN_KV_TIMEOUT_MS, withKvTimeout } from "./kv_timeout.ts";

/** The stored config with the versionstamp a later write must match. */
export interface StoredConfig {
  config: Config;
  versionstamp: string | null;
  updatedAt: string | null;
  /** What was left out to read it (unknown fields, unsendable values), as dotted paths. */
  ignored: string[];
}

/** Deno KV values are capped at 64 KiB; a config must fit in one value to be replaced atomically. */
export const MAX_CONFIG_BYTES = 60 * 1024;

/** Loads the config; a stored one that no longer validates is reported, never silently replaced. */
export async function loadConfig(kv: Deno.Kv): Promise<StoredConfig | null> {
  const entry = await withKvTimeout(
    kv.get<{ config: unknown; updatedAt: string }>(KV.config()),
    ADMIN_KV_TIMEOUT_MS,
    "reading the config",
  );
  if (entry.value === null) return null;
  const parsed = parseStoredConfig(entry.value.config);
  if ("error" in parsed) throw new Error(`the stored config is invalid: ${parsed.error}`);
  return {
    config: parsed.config,
    ignored: parsed.ignored,
    versionstamp: entry.versionstamp,
    updatedAt: entry.value.updatedAt,
  };
}

/** Result of an attempted replace: `conflict` when someone else wrote in between. */
export type SaveResult =
  | { ok: true; versionstamp: string }
  | { ok: false; reason: "conflict" | "too_large" };

/** Replaces the config only if it is still at `expected` (null: only if none is stored). */
export async function saveConfig(
  kv: Deno.Kv,
  config: Config,
  expected: string | null,
): Promise<SaveResult> {
  const value = { config, updatedAt: new Date().toISOString() };
  if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_CONFIG_BYTES) {
    return { ok: false, reason: "too_large" };
  }
  // Bounded: a locked or full database answers the admin a clear 503, not a hang.
  const result = await withKvTimeout(
    kv.atomic().check({ key: KV.config(), versionstamp: expected }).set(KV.config(), value)
      .commit(),
    ADMIN_KV_TIMEOUT_MS,
    "saving the config",
  );
  return result.ok ? { ok: true, versionstamp: result.versionstamp } : {
    ok: false,
    reason: "conflict",
  };
}
