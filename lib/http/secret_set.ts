/**
 * The exact secret values Detour holds (stored keys, tokens, cloud credentials, provider header
 * values, the admin token, access keys), for redaction by value: an upstream may echo a key
 * that looks like no key pattern. Built once per config (LiveConfig holds it), read per error.
 *
 * @example
 * ```ts
 * const secrets = SecretSet.of(["plainsecretvalue123"]);
 * secrets.redact("bad key plainsecretvalue123"); // "bad key [redacted]"
 * ```
 */
import type { Config } from "../config/schema.ts";

/** Shorter values are not redacted: they would hit ordinary words. */
export const MIN_SECRET_LENGTH = 8;
const REDACTED = "[redacted]";

/** 31^(MIN_SECRET_LENGTH - 1) modulo 2^32: what the character leaving a window weighed. */
const OUT_WEIGHT = Array.from({ length: MIN_SECRET_LENGTH - 1 }).reduce<number>(
  (w) => Math.imul(w, 31),
  1,
);

/** Hash of the MIN_SECRET_LENGTH characters of `text` at `at` (no substring allocated). */
function windowHash(text: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + MIN_SECRET_LENGTH; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** The hash of the window one character on: `out` leaves it, `into` enters (rolling hash). */
function rollHash(h: number, out: number, into: number): number {
  return (Math.imul((h - Math.imul(out, OUT_WEIGHT)) | 0, 31) + into) | 0;
}

/** Forms a value can take when echoed: raw, JSON-escaped, URL-encoded, base64. */
function formsOf(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1)];
  try {
    forms.push(encodeURIComponent(value));
  } catch { /* a lone surrogate: no URL form */ }
  const bytes = new TextEncoder().encode(value);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  forms.push(btoa(binary).replace(/=+$/, ""));
  return forms;
}

/**
 * Written here rather than one RegExp alternation of every value: that tries each alternative
 * at each position (cost grows with the number of keys × forms, and every log line passes
 * through it), where a rolling hash costs one filtered lookup per character whatever the count.
 */
export class SecretSet {
  /** Values by the hash of their first MIN_SECRET_LENGTH characters, longest first. */
  #byHead: Map<number, string[]>;
  /** One byte per low 16 bits of a head hash: most positions are ruled out without a lookup. */
  #filter = new Uint8Array(1 << 16);

  private constructor(byHead: Map<number, string[]>) {
    this.#byHead = byHead;
    for (const h of byHead.keys()) this.#filter[h & 0xffff] = 1;
  }

  /** A set of `values` (and their encoded forms); values under MIN_SECRET_LENGTH are ignored. */
  static of(values: Iterable<string>): SecretSet {
    const all = new Set<string>();
    for (const v of values) {
      const value = v.trim();
      if (value.length < MIN_SECRET_LENGTH) continue;
      for (const form of formsOf(value)) if (form.length >= MIN_SECRET_LENGTH) all.add(form);
    }
    const byHead = new Map<number, string[]>();
    for (const s of all) {
      const h = windowHash(s, 0);
      const bucket = byHead.get(h);
      if (bucket) bucket.push(s);
      else byHead.set(h, [s]);
    }
    for (const bucket of byHead.values()) bucket.sort((a, b) => b.length - a.length);
    return new SecretSet(byHead);
  }

  /** How many distinct forms are held (for tests). */
  get size(): number {
    let n = 0;
    for (const b of this.#byHead.values()) n += b.length;
    return n;
  }

  /** `text` with every held secret replaced by `[redacted]`; the same string when none occurs. */
  redact(text: string): string {
    if (this.#byHead.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let out = "";
    let copied = 0;
    const last = text.length - MIN_SECRET_LENGTH;
    // One rolling hash over the text: a map lookup per character, no substrings.
    let i = 0;
    let h = windowHash(text, 0);
    while (true) {
      const hit = this.#filter[h & 0xffff] === 1 &&
        this.#byHead.get(h)?.find((s) => text.startsWith(s, i));
      if (hit) {
        out += text.slice(copied, i) + REDACTED;
        copied = i + hit.length;
        if (copied > last) break;
        i = copied;
        h = windowHash(text, i);
        continue;
      }
      if (i >= last) break;
      h = rollHash(h, text.charCodeAt(i), text.charCodeAt(i + MIN_SECRET_LENGTH));
      i++;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}

/** The secrets of a service-account key: the private key (and each of its lines), secrets. */
function serviceAccountSecrets(json: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [json];
  }
  if (typeof parsed !== "object" || parsed === null) return [json];
  const out: string[] = [json];
  for (const field of ["private_key", "private_key_id", "client_secret", "refresh_token"]) {
    const v = (parsed as Record<string, unknown>)[field];
    if (typeof v !== "string") continue;
    out.push(v);
    // A PEM key echoed re-wrapped still shares its base64 lines.
    if (field === "private_key") out.push(...v.split(/\r?\n|\\n/).filter((l) => !l.includes("-")));
  }
  return out;
}

/** Provider headers whose values are protocol settings, not credentials (betas, versions). */
const PLAIN_HEADERS = /^(?:anthropic-(?:version|beta)|content-type|accept|user-agent)$/i;

/** Every secret value in `config`: keys, cloud and OAuth credentials, provider header values. */
export function configSecrets(config: Config): string[] {
  const out: string[] = [];
  for (const p of config.providers) {
    out.push(...p.keys);
    for (const [name, value] of Object.entries(p.headers)) {
      if (!PLAIN_HEADERS.test(name)) out.push(value);
    }
    for (const v of [p.awsSecretAccessKey, p.awsSessionToken, p.oauthAccessToken]) {
      if (v) out.push(v);
    }
    if (p.oauthRefreshToken) out.push(p.oauthRefreshToken);
    if (p.serviceAccountJson) out.push(...serviceAccountSecrets(p.serviceAccountJson));
  }
  if (config.webhook) out.push(config.webhook.url);
  return out;
}
