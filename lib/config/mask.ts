/** Stored keys never leave the server whole: masking for output, and un-masking edits on input. */
import type { ConfigInput } from "./schema.ts";

/** Marks a masked key; real API keys never contain it. */
export const MASK_CHAR = "…";

/** `sk-ant-api03-abc…wxyz`-style: enough to tell keys apart, never enough to use one. */
export function maskKey(key: string): string {
  if (key.length >= 24) return `${key.slice(0, 6)}${MASK_CHAR}${key.slice(-4)}`;
  if (key.length >= 12) return `${MASK_CHAR}${key.slice(-2)}`;
  return MASK_CHAR;
}

/** True for a value produced by `maskKey` (or typed as one). */
export function isMasked(value: string): boolean {
  return value.includes(MASK_CHAR);
}

/** The config with every stored key masked: what the API and the page show. */
export function maskConfig<T extends { providers: { keys?: string[] }[] }>(config: T): T {
  return {
    ...config,
    providers: config.providers.map((p) => ({ ...p, keys: (p.keys ?? []).map(maskKey) })),
  };
}

/** A masked key in an edit that matches no stored key. */
export interface UnmaskError {
  path: (string | number)[];
  message: string;
}

/**
 * Replaces masked keys in an edited config with the stored keys they stand for ("keep the
 * stored one"): first the key at the same position of the same provider, else the only key of
 * that provider (or any provider) with the same mask.
 */
export function unmaskKeys(
  input: ConfigInput,
  stored: { providers: { id: string; keys: string[] }[] },
): { config: ConfigInput; errors: UnmaskError[] } {
  const errors: UnmaskError[] = [];
  const allKeys = stored.providers.flatMap((p) => p.keys);
  const providers = (input.providers ?? []).map((p, pi) => {
    if (!Array.isArray(p?.keys)) return p;
    const own = stored.providers.find((s) => s.id === p.id)?.keys ?? [];
    const keys = p.keys.map((value, ki) => {
      if (typeof value !== "string" || !isMasked(value)) return value;
      if (own[ki] !== undefined && maskKey(own[ki]) === value) return own[ki];
      for (const pool of [own, allKeys]) {
        const matches = [...new Set(pool.filter((k) => maskKey(k) === value))];
        if (matches.length === 1) return matches[0];
      }
      errors.push({
        path: ["providers", pi, "keys", ki],
        message: `"${value}" is a masked key that matches no stored key: type the full key`,
      });
      return value;
    });
    return { ...p, keys };
  });
  return { config: { ...input, providers }, errors };
}
