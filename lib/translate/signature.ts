/**
 * The signature Detour gives the thinking blocks it translates from another provider's
 * reasoning, so the history repair later knows which provider produced them.
 */

/** Thinking blocks Detour translated carry this signature prefix plus the provider id. */
export const SIGNATURE_PREFIX = "detour.v1.";

/** The signature of a thinking block translated from `provider`'s reasoning. */
export function detourSignature(provider: string): string {
  return `${SIGNATURE_PREFIX}${provider}`;
}

/** The provider a Detour signature names, or null for any other signature. */
export function signatureProvider(signature: unknown): string | null {
  return typeof signature === "string" && signature.startsWith(SIGNATURE_PREFIX)
    ? signature.slice(SIGNATURE_PREFIX.length) || null
    : null;
}
