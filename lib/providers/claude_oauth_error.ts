/** The error a refused or failed Claude subscription token refresh throws. */

/** A refresh that failed; `permanent` when the refresh token itself was refused. */
export class OAuthRefreshError extends Error {
  /** How the engine labels the failed attempt. */
  readonly outcome = "auth";
  constructor(message: string, readonly permanent: boolean) {
    super(message);
    this.name = "OAuthRefreshError";
  }
}
