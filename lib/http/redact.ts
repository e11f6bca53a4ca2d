/**
 * Scrubs credential-like strings from upstream error text before it reaches a log line, the
 * status page or an error message: some providers echo (part of) the key they refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecrets } from "./redact.ts";
 *
 * assert.equal(
 *   redactSecrets("Incorrect API key provided: sk-proj-abc123def456ghi789"),
 *   "Incorrect API key provided: [redacted]",
 * );
 * ```
 */

const PATTERNS = [
  // Known key shapes: Anthropic, OpenAI, OpenRouter, Detour's own, AWS, Google OAuth tokens.
  /\b(?:sk|dtr|dta|rk|pk)[-_][A-Za-z0-9_\-*.…]{8,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g,
  /\bya29\.[A-Za-z0-9_\-.]{10,}/g,
  /\bBearer\s+[A-Za-z0-9_\-.=+/]{8,}/gi,
  // Anything else long and key-like: 32+ characters of base64/hex without spaces.
  /\b[A-Za-z0-9_\-+/=]{32,}\b/g,
];

/** `text` with every credential-like run replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, "[redacted]");
  return out;
}

/** Something that redacts exact stored secret values (lib/http/secret_set.ts). */
export interface ExactRedactor {
  redact(text: string): string;
}

/** `text` redacted by the key patterns and by the exact stored secret values. */
export function redactAll(text: string, secrets?: ExactRedactor): string {
  const out = redactSecrets(text);
  return secrets ? secrets.redact(out) : out;
}

/** A body with `redact` applied to its text; the same bytes when nothing changed. */
export function redactBytes(
  body: Uint8Array<ArrayBuffer>,
  redact: (text: string) => string,
): Uint8Array<ArrayBuffer> {
  const text = new TextDecoder().decode(body);
  const clean = redact(text);
  return clean === text ? body : new TextEncoder().encode(clean);
}

/**
 * An error answer (status 400 and up) read whole (bounded by `read`) and redacted;
 * successful answers are returned untouched, never read.
 */
export async function redactErrorResponse(
  res: Response,
  read: (res: Response) => Promise<Uint8Array<ArrayBuffer>>,
  redact: (text: string) => string,
): Promise<Response> {
  if (res.status < 400 || !res.body) return res;
  const body = redactBytes(await read(res), redact);
  const headers = new Headers(res.headers);
  // The body may have been cut short or changed length; the runtime sets the real one.
  headers.delete("content-length");
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}
