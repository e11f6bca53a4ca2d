/** Reads, replaces and watches the config document in KV. */
import type { Config } from "../config/schema.ts";
import { parseStoredConfig } from "../config/issues.ts";
import { KV } from "./keys.ts";

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
  const entry = await kv.get<{ config: unknown; updatedAt: string }>(KV.config());
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
  const result = await kv.atomic().check({ key: KV.config(), versionstamp: expected })
    .set(KV.config(), value).commit();
  return result.ok ? { ok: true, versionstamp: result.versionstamp } : {
    ok: false,
    reason: "conflict",
  };
}

/** Calls `onChange` whenever the config or the access keys change, on any instance. */
export function watchConfig(
  kv: Deno.Kv,
  onChange: () => void,
  signal: AbortSignal,
): Promise<void> {
  const stream = kv.watch([KV.config(), KV.accessKeysRevision()]);
  const reader = stream.getReader();
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
  return (async () => {
    let first = true;
    try {
      while (true) {
        const { done } = await reader.read();
        if (done) return;
        // The first batch is the current state, which the caller already loaded.
        if (!first) onChange();
        first = false;
      }
    } catch {
      // A closed KV or a cancelled watch ends the loop; the TTL refresh keeps config current.
    }
  })();
}
