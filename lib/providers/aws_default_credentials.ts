/**
 * AWS credentials from where they already are, for Bedrock providers with
 * `awsCredentials: "default"`: the AWS SDK's own default chain (`fromNodeProviderChain` from
 * `@aws-sdk/credential-providers`) reads, in order, the environment variables, the shared config
 * and credentials files (a profile's static keys, SSO token caches, `credential_process`,
 * assumed roles, web identity), then the container and instance metadata endpoints.
 *
 * The SDK is imported on first use only, so a Detour that never signs with it never loads it
 * (cold start). Its chain is memoized per profile: it reuses credentials until five minutes
 * before their `expiration`, then fetches new ones once for all callers.
 */

/** The keys one SigV4 signature needs, as the chain gives them. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  /** The account, when the source names it (SSO, `credential_process`, `AWS_ACCOUNT_ID`). */
  accountId?: string;
}

/** A memoized credential chain; `forceRefresh` skips its cache. */
export type AwsChain = (opts?: { forceRefresh?: boolean }) => Promise<AwsKeys>;

/** Builds the chain for a profile (undefined: `AWS_PROFILE`, else `default`). */
export type AwsChainFactory = (profile: string | undefined) => AwsChain | Promise<AwsChain>;

/** The chain could not produce credentials: the engine labels the attempt `auth`. */
export class AwsCredentialsError extends Error {
  /** How the engine labels the failed attempt. */
  readonly outcome = "auth";
  constructor(message: string) {
    super(message);
    this.name = "AwsCredentialsError";
  }
}

/** The SDK's chain, imported lazily (never at module load). */
async function sdkChain(profile: string | undefined): Promise<AwsChain> {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  return fromNodeProviderChain(profile ? { profile } : {});
}

/** What the chain is called in messages: the profile, or the chain itself. */
export function chainName(profile: string | undefined): string {
  return profile ? `AWS profile "${profile}"` : "the default AWS credential chain";
}

/**
 * One app's AWS default-chain credentials: one memoized chain per profile (the SDK's memo does
 * the caching and the refresh before expiry).
 */
export class AwsDefaultCredentials {
  #chains = new Map<string, Promise<AwsChain>>();
  #factory: AwsChainFactory;

  constructor(factory: AwsChainFactory = sdkChain) {
    this.#factory = factory;
  }

  /** Credentials for `profile`: cached by the chain, fresh once they near expiry. */
  async credentials(profile: string | undefined, forceRefresh = false): Promise<AwsKeys> {
    const key = profile ?? "";
    let chain = this.#chains.get(key);
    if (!chain) {
      chain = Promise.resolve(this.#factory(profile));
      // A failed import is retried on the next request rather than kept.
      chain.catch(() => this.#chains.delete(key));
      this.#chains.set(key, chain);
    }
    try {
      const keys = await (await chain)(forceRefresh ? { forceRefresh } : undefined);
      return keys;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AwsCredentialsError(`${chainName(profile)} gave no credentials: ${why}`);
    }
  }
}
