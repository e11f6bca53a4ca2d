/** Debug body capture: truncated, with anything credential-like taken out. */
import { redactSecrets } from "../http/redact.ts";

const SECRET_FIELD =
  /("[^"]*(?:api[_-]?key|token|secret|password|passwd|authorization|credential|private[_-]?key)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/**
 * `text` cut to `max` characters with secrets removed: values of key-like JSON fields, every
 * `known` secret (stored keys, the client's credential) and credential-shaped strings.
 */
export function redactBody(text: string, max: number, known: string[]): string {
  // Redact a little past the cut, so a secret across it is still recognised whole.
  let out = text.length > max + 4096 ? text.slice(0, max + 4096) : text;
  for (const secret of known) {
    if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  }
  out = redactSecrets(out.replace(SECRET_FIELD, '$1"[redacted]"'));
  if (out.length <= max && text.length <= max) return out;
  // A cut through a key-like run could leave its start: drop a long trailing run.
  return `${
    out.slice(0, max).replace(/[A-Za-z0-9_\-.+/=]{8,}$/, "")
  }… [truncated, ${text.length} chars]`;
}

/** latin1 text kept by the taps back to UTF-8. */
export function fromLatin1(s: string): string {
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}
