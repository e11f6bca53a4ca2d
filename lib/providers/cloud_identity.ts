/**
 * Who a Bedrock or Vertex provider signs in as, for the admin page: the AWS account and ARN
 * (STS GetCallerIdentity, signed with the provider's own SigV4 keys), or the Google service
 * account's or user's e-mail. Never a secret: no key, token or session token leaves here.
 */
import { AwsV4Signer } from "aws4fetch";
import type { Provider } from "../config/schema.ts";
import { type AwsDefaultCredentials, chainName } from "./aws_default_credentials.ts";
import { sigV4Keys } from "./bedrock.ts";
import type { GoogleTokens } from "./google_auth.ts";

/** What the admin page shows. */
export interface CloudIdentity {
  /** How the provider signs in: `AWS profile "dev"`, `access keys`, `ADC: authorized_user`… */
  source: string;
  /** The ARN or e-mail, when it could be told. */
  identity: string | null;
  /** The AWS account, when known. */
  account?: string;
  /** Why the identity could not be told. */
  error?: string;
}

/** The keepers the lookup signs with. */
export interface IdentityDeps {
  aws: AwsDefaultCredentials;
  google: GoogleTokens;
  fetch?: typeof fetch;
}

/** GetCallerIdentity's answer is bounded: a stuck STS must not hang the admin page. */
const STS_TIMEOUT_MS = 10_000;

/** Who `provider` signs in as; failures come back as `error`, not thrown. */
export async function cloudIdentity(
  provider: Provider,
  deps: IdentityDeps,
): Promise<CloudIdentity> {
  const source = sourceOf(provider);
  try {
    if (provider.type === "vertex") {
      const { source, email } = await deps.google.identityFor(provider);
      return { source, identity: email };
    }
    if (provider.type !== "bedrock") return { source, identity: null, error: "not a cloud" };
    if (!provider.awsCredentials && !provider.awsAccessKeyId) {
      return { source, identity: null, error: "a Bedrock API key does not say whose it is" };
    }
    const keys = await sigV4Keys(provider, deps.aws);
    const caller = await getCallerIdentity(keys, provider.region ?? "us-east-1", deps.fetch);
    return { source, identity: caller.arn, account: caller.account ?? keys.accountId };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { source, identity: null, error: why.slice(0, 300) };
  }
}

/** How the provider signs in, in words. */
function sourceOf(provider: Provider): string {
  if (provider.type === "vertex") {
    return provider.googleCredentials === "default"
      ? "Application Default Credentials"
      : "service account key";
  }
  if (provider.awsCredentials === "default") return chainName(provider.awsProfile);
  return provider.awsAccessKeyId ? "access keys" : "Bedrock API key";
}

/**
 * The STS endpoint: `AWS_ENDPOINT_URL_STS` or `AWS_ENDPOINT_URL` as the AWS SDKs read them
 * (VPC endpoints, tests), else the region's own.
 */
function stsEndpoint(region: string): string {
  let override: string | undefined;
  try {
    override = Deno.env.get("AWS_ENDPOINT_URL_STS") ?? Deno.env.get("AWS_ENDPOINT_URL");
  } catch { /* no env permission: the region's endpoint */ }
  return (override ?? `https://sts.${region}.amazonaws.com`).replace(/\/+$/, "");
}

/**
 * STS GetCallerIdentity (Query API, XML answer):
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
async function getCallerIdentity(
  keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  doFetch: typeof fetch = fetch,
): Promise<{ arn: string; account: string | null }> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const signer = new AwsV4Signer({
    method: "POST",
    url: `${stsEndpoint(region)}/`,
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      // The payload hash, signed, as Bedrock's requests carry it.
      "x-amz-content-sha256": Array.from(
        new Uint8Array(digest),
        (b) => b.toString(16).padStart(2, "0"),
      ).join(""),
    },
    body,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    sessionToken: keys.sessionToken,
    service: "sts",
    region,
  });
  const signed = await signer.sign();
  const res = await doFetch(signed.url, {
    method: "POST",
    headers: signed.headers,
    body: signed.body,
    signal: AbortSignal.timeout(STS_TIMEOUT_MS),
  });
  const text = await res.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? null;
  if (!res.ok) throw new Error(`STS GetCallerIdentity: ${tag("Code") ?? `HTTP ${res.status}`}`);
  const arn = tag("Arn");
  if (!arn) throw new Error("STS GetCallerIdentity named no ARN");
  return { arn, account: tag("Account") };
}
