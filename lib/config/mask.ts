/**
 * Stored secrets never leave the server whole: masking for output, and un-masking edits on
 * input. Secrets are every provider's `keys`, the values of its extra `headers` (they often carry
 * a credential: `Authorization`, `x-api-key`), and the fields named in `SECRET_FIELDS`.
 */
import { type ConfigInput, SECRET_FIELDS } from "./schema.ts";

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

type AnyProvider = { id?: string; keys?: unknown } & Record<string, unknown>;
type AnyWebhook = { url?: unknown } & Record<string, unknown>;

/**
 * A webhook URL shown as its origin only (`https://hooks.slack.com/…`): webhook URLs carry their
 * token in the path or query.
 */
export function maskUrl(url: string): string {
  try {
    return `${new URL(url).origin}/${MASK_CHAR}`;
  } catch {
    return MASK_CHAR;
  }
}

/** The config with every stored secret masked: what the API and the page show. */
export function maskConfig<T extends { providers: AnyProvider[]; webhook?: AnyWebhook }>(
  config: T,
): T {
  const hook = config.webhook;
  return {
    ...config,
    ...(hook && typeof hook.url === "string"
      ? { webhook: { ...hook, url: maskUrl(hook.url) } }
      : {}),
    providers: config.providers.map((p) => {
      const out: AnyProvider = {
        ...p,
        keys: ((p.keys as string[] | undefined) ?? []).map(maskKey),
      };
      if (p.headers && typeof p.headers === "object") out.headers = maskHeaders(p.headers);
      for (const field of SECRET_FIELDS) {
        if (typeof p[field] === "string") out[field] = maskKey(p[field] as string);
      }
      return out;
    }),
  };
}

/** Header values masked like keys; names stay readable. */
function maskHeaders(headers: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, v]) => [name, typeof v === "string" ? maskKey(v) : v]),
  );
}

/** A provider's header value by name, any case (header names are case-insensitive). */
function headerOf(p: AnyProvider | undefined, name: string): string | undefined {
  const headers = p?.headers;
  if (!headers || typeof headers !== "object") return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower && typeof v === "string") return v;
  }
  return undefined;
}

/**
 * The stored value a masked header value stands for: the same header of the same provider, else
 * the only stored value of that header with that mask (a provider renamed in the same edit).
 */
function unmaskHeader(
  name: string,
  value: string,
  own: AnyProvider | undefined,
  stored: AnyProvider[],
): string | undefined {
  const previous = headerOf(own, name);
  if (previous !== undefined && maskKey(previous) === value) return previous;
  const matches = new Set(
    stored.map((s) => headerOf(s, name)).filter((v) => v !== undefined && maskKey(v) === value),
  );
  return matches.size === 1 ? [...matches][0] : undefined;
}

/** An edited header map with each masked value replaced by the stored one it stands for. */
function unmaskHeaders(
  headers: object,
  own: AnyProvider | undefined,
  stored: AnyProvider[],
  fail: (name: string, value: string) => void,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (typeof value !== "string" || !isMasked(value)) return [name, value];
      const previous = unmaskHeader(name, value, own, stored);
      if (previous === undefined) fail(name, value);
      return [name, previous ?? value];
    }),
  );
}

/** A masked secret in an edit that matches no stored one. */
export interface UnmaskError {
  path: (string | number)[];
  message: string;
}

/**
 * Replaces masked secrets in an edited config with the stored ones they stand for ("keep the
 * stored one"). Keys: first the key at the same position of the same provider, else the only
 * key of that provider (or any provider) with the same mask. Header values: the same header
 * of the same provider (else the only stored one with that name and mask). Other secret fields:
 * the same field of the same provider.
 */
export function unmaskKeys(
  input: ConfigInput,
  stored: { providers: AnyProvider[]; webhook?: AnyWebhook },
): { config: ConfigInput; errors: UnmaskError[] } {
  const errors: UnmaskError[] = [];
  // Not a provider list: nothing to unmask, and the schema reports what is wrong.
  if (!Array.isArray(input.providers)) return { config: input, errors };
  const keysOf = (p?: AnyProvider) => (p?.keys as string[] | undefined) ?? [];
  const allKeys = stored.providers.flatMap(keysOf);
  const providers = ((input.providers ?? []) as unknown as AnyProvider[]).map((p, pi) => {
    if (typeof p !== "object" || p === null) return p;
    const storedP = stored.providers.find((s) => s.id === p.id);
    const own = keysOf(storedP);
    const out: AnyProvider = { ...p };
    if (Array.isArray(p.keys)) {
      out.keys = p.keys.map((value, ki) => {
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
    }
    if (p.headers && typeof p.headers === "object" && !Array.isArray(p.headers)) {
      out.headers = unmaskHeaders(
        p.headers,
        storedP,
        stored.providers,
        (name, value) =>
          errors.push({
            path: ["providers", pi, "headers", name],
            message:
              `"${value}" is a masked header value that matches no stored one: type it in full`,
          }),
      );
    }
    for (const field of SECRET_FIELDS) {
      const value = p[field];
      if (typeof value !== "string" || !isMasked(value)) continue;
      const previous = storedP?.[field];
      if (typeof previous === "string" && maskKey(previous) === value) out[field] = previous;
      else {
        errors.push({
          path: ["providers", pi, field],
          message: `"${value}" is masked but no stored value matches: type the full value`,
        });
      }
    }
    return out;
  });
  // The webhook URL: a masked one keeps the stored URL it stands for.
  const hook = (input as { webhook?: unknown }).webhook as AnyWebhook | undefined;
  let webhook = hook;
  if (hook && typeof hook === "object" && typeof hook.url === "string" && isMasked(hook.url)) {
    const previous = stored.webhook?.url;
    if (typeof previous === "string" && maskUrl(previous) === hook.url) {
      webhook = { ...hook, url: previous };
    } else {
      errors.push({
        path: ["webhook", "url"],
        message: `"${hook.url}" is masked but no stored webhook URL matches: type the full URL`,
      });
    }
  }
  return {
    config: { ...input, providers, ...(webhook ? { webhook } : {}) } as ConfigInput,
    errors,
  };
}
