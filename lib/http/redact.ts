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
