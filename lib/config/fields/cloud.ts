/**
 * Fields of `type: "bedrock"` and `type: "vertex"` providers, and of `type: "anthropic"`
 * providers that hold a Claude subscription's OAuth credentials (refreshed by Detour).
 *
 * @example
 * ```json
 * { "id": "bedrock", "type": "bedrock", "baseUrl": "https://bedrock-runtime.us-east-1.amazonaws.com",
 *   "region": "us-east-1", "awsAccessKeyId": "AKIA…", "awsSecretAccessKey": "…" }
 * { "id": "bedrock-sso", "type": "bedrock", "baseUrl": "https://bedrock-runtime.us-east-1.amazonaws.com",
 *   "region": "us-east-1", "awsCredentials": "default", "awsProfile": "dev-sso" }
 * { "id": "vertex", "type": "vertex", "baseUrl": "https://us-east5-aiplatform.googleapis.com",
 *   "region": "us-east5", "projectId": "my-project", "serviceAccountJson": "{\"type\":\"service_account\",…}" }
 * { "id": "vertex-adc", "type": "vertex", "baseUrl": "https://aiplatform.googleapis.com",
 *   "region": "global", "projectId": "my-project", "googleCredentials": "default" }
 * { "id": "max", "type": "anthropic", "baseUrl": "https://api.anthropic.com",
 *   "oauthRefreshToken": "sk-ant-ort01-…", "oauthAccessToken": "sk-ant-oat01-…", "oauthExpiresAt": 1767225600000 }
 * ```
 */
import * as z from "zod";
import { CONTROL_MESSAGE, hasControlChars } from "../rules.ts";
import { unsendable } from "../zod_rules.ts";

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

/** A key or token, sent in a header or a token request: no line breaks (never echoed). */
const tokenText = (max: number) =>
  z.string().trim().min(1).max(max).refine(
    (s) => !hasControlChars(s),
    unsendable(`the value ${CONTROL_MESSAGE}`),
  )
    .optional();

/** Extra provider fields for the cloud providers and OAuth credentials. */
export const cloudFields = {
  /** bedrock, vertex: the region (`us-east-1`; Vertex: `us-east5`, `europe-west1`, `global`). */
  region: z.string().trim().regex(
    /^[a-z][a-z0-9-]{1,39}$/,
    "a region such as us-east-1, us-east5 or global",
  ).optional(),
  /** bedrock: AWS access key id for SigV4 (else a Bedrock API key in `keys`). */
  awsAccessKeyId: z.string().trim().regex(/^[A-Z0-9]{16,128}$/, "an AWS access key id (AKIA…)")
    .optional(),
  awsSecretAccessKey: tokenText(256),
  /** Temporary credentials (STS) also carry a session token. */
  awsSessionToken: tokenText(4096),
  /**
   * bedrock: `default` signs with the AWS SDK's default credential chain instead of pasted keys:
   * environment variables, the shared config and credentials files (profiles, SSO,
   * `credential_process`), then container and instance metadata.
   */
  awsCredentials: z.enum(["default"]).optional(),
  /** bedrock: the profile the default chain reads (else `AWS_PROFILE`, else `default`). */
  awsProfile: z.string().trim().regex(/^[A-Za-z0-9_.+=,@/-]{1,128}$/, "an AWS profile name")
    .optional(),
  /**
   * bedrock: `geo` (default) sends Anthropic ids as the region's cross-region inference profile
   * (`us.`, `eu.`, `apac.`), `global` as the global profile, `off` as in-region model ids.
   */
  crossRegion: z.enum(["geo", "global", "off"]).optional(),
  /**
   * bedrock, vertex: the `anthropic-beta` values passed on (the clouds answer 400 "invalid beta
   * flag" to ones they do not know); default: those they are known to accept; `*` passes all.
   */
  allowedBetas: z.array(z.string().trim().regex(/^[a-z0-9*-]{1,100}$/, "a beta name")).max(100)
    .optional(),
  /** vertex: the Google Cloud project (defaults to the service account's project_id). */
  projectId: z.string().trim().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, "a Google Cloud project id")
    .optional(),
  /** vertex: the service account's JSON key, as downloaded from the Cloud console. */
  serviceAccountJson: z.string().trim().min(2).max(16_384).optional(),
  /**
   * vertex: `default` signs in with Google's Application Default Credentials
   * (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's user credentials, the metadata server).
   */
  googleCredentials: z.enum(["default"]).optional(),
  /** anthropic: a Claude subscription's OAuth access token (`sk-ant-oat…`), refreshed by Detour. */
  oauthAccessToken: tokenText(4096),
  /** anthropic: the OAuth refresh token (`sk-ant-ort…`); rotated copies live in KV. */
  oauthRefreshToken: tokenText(4096),
  /** anthropic: when the access token expires: epoch milliseconds or an ISO date. */
  oauthExpiresAt: z.union([z.number().int().nonnegative(), z.string().datetime()]).transform((v) =>
    typeof v === "number" ? v : Date.parse(v)
  ).optional(),
  /** anthropic: read the OAuth credentials from Claude Code's credentials file (local only). */
  oauthCredentialsFile: optionalText(1024),
  /** anthropic: the OAuth token endpoint (default: Claude's). */
  oauthTokenUrl: z.string().trim().url().refine((u) => /^https?:\/\//.test(u), "an http(s) URL")
    .optional(),
  /** anthropic: the OAuth client id the refresh token was issued to (default: Claude Code's). */
  oauthClientId: tokenText(200),
} satisfies z.ZodRawShape;

/** Fields that hold secrets. */
export const cloudSecrets: readonly string[] = [
  "awsSecretAccessKey",
  "awsSessionToken",
  "serviceAccountJson",
  "oauthAccessToken",
  "oauthRefreshToken",
];

const BEDROCK_ONLY = [
  "awsAccessKeyId",
  "awsSecretAccessKey",
  "awsSessionToken",
  "awsCredentials",
  "awsProfile",
  "crossRegion",
];
const VERTEX_ONLY = ["projectId", "serviceAccountJson", "googleCredentials"];
const OAUTH = [
  "oauthAccessToken",
  "oauthRefreshToken",
  "oauthExpiresAt",
  "oauthCredentialsFile",
  "oauthTokenUrl",
  "oauthClientId",
];

/** What a Vertex service-account key must hold. */
export const ServiceAccountSchema = z.object({
  type: z.literal("service_account", "the key's type must be service_account"),
  client_email: z.string().email("client_email must be the service account's e-mail"),
  private_key: z.string().includes("PRIVATE KEY", "private_key must be a PEM private key"),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
  token_uri: z.string().url().optional(),
}).passthrough();

/** Parses a service-account key; a readable message when it is not one. */
export function parseServiceAccount(
  json: string,
): { ok: true; key: z.infer<typeof ServiceAccountSchema> } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: "serviceAccountJson is not valid JSON: paste the whole key file" };
  }
  const parsed = ServiceAccountSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: `serviceAccountJson: ${parsed.error.issues[0]?.message}` };
  }
  return { ok: true, key: parsed.data };
}

/** The region a Bedrock or Vertex host names, when the base URL is the cloud's own host. */
export function regionOfHost(type: "bedrock" | "vertex", baseUrl: string): string | null {
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return null;
  }
  if (type === "bedrock") {
    return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ??
      null;
  }
  if (host === "aiplatform.googleapis.com") return "global";
  return /^([a-z0-9-]+)-aiplatform\.googleapis\.com$/.exec(host)?.[1] ??
    /^aiplatform\.([a-z]+)\.rep\.googleapis\.com$/.exec(host)?.[1] ?? null;
}

/** What each type's checks get: the provider, how to file an issue, and what is set. */
interface Check {
  provider: Record<string, unknown>;
  issue: (path: string, message: string) => void;
  set: (field: string) => boolean;
  keys: unknown[];
}

/** Type-specific checks (runs for every provider; look at `provider.type`). */
export function refineCloud(provider: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const type = provider.type;
  const check: Check = {
    provider,
    issue: (path, message) => ctx.addIssue({ code: "custom", path: [path], message }),
    set: (field) => provider[field] !== undefined,
    keys: Array.isArray(provider.keys) ? provider.keys : [],
  };
  const { issue, set } = check;
  const onlyFor = (fields: string[], types: string[], what: string) => {
    for (const f of fields) if (set(f) && !types.includes(String(type))) issue(f, `${f} ${what}`);
  };
  onlyFor(BEDROCK_ONLY, ["bedrock"], "only applies to type bedrock");
  onlyFor(VERTEX_ONLY, ["vertex"], "only applies to type vertex");
  onlyFor(
    ["region", "allowedBetas"],
    ["bedrock", "vertex"],
    "only applies to types bedrock and vertex",
  );
  onlyFor(OAUTH, ["anthropic"], "only applies to type anthropic (a Claude subscription)");

  if (type === "bedrock" || type === "vertex") refineCloudRegion(type, check);
  if (type === "bedrock") refineBedrock(check);
  if (type === "vertex") refineVertex(check);
  if (type === "anthropic" && OAUTH.some(set)) refineOAuth(check);
}

/** Bedrock and Vertex: own credentials, a region, and one that agrees with the base URL. */
function refineCloudRegion(type: "bedrock" | "vertex", { provider, issue, set }: Check): void {
  if (provider.passthrough === true) {
    issue("passthrough", `a ${type} provider uses its own credentials, not the client's`);
  }
  if (!set("region")) issue("region", `a ${type} provider needs a region`);
  const hostRegion = regionOfHost(type, String(provider.baseUrl ?? ""));
  if (set("region") && hostRegion !== null && hostRegion !== provider.region) {
    issue(
      "baseUrl",
      `baseUrl is the ${hostRegion} endpoint but region is ${provider.region}: make them agree`,
    );
  }
}

/**
 * Bedrock: one way to sign in: AWS access keys (both halves), Bedrock API keys, or the default
 * credential chain (`awsCredentials: "default"`, optionally with `awsProfile`).
 */
function refineBedrock({ issue, set, keys }: Check): void {
  const sigv4 = set("awsAccessKeyId") || set("awsSecretAccessKey");
  if (set("awsProfile") && !set("awsCredentials")) {
    issue("awsProfile", 'awsProfile needs awsCredentials: "default"');
  }
  if (set("awsCredentials")) {
    if (sigv4 || set("awsSessionToken")) {
      issue("awsCredentials", 'use either awsCredentials: "default" or pasted AWS access keys');
    }
    if (keys.length > 0) {
      issue("keys", 'use either awsCredentials: "default" or Bedrock API keys (keys), not both');
    }
    return;
  }
  if (set("awsAccessKeyId") !== set("awsSecretAccessKey")) {
    issue(
      set("awsAccessKeyId") ? "awsSecretAccessKey" : "awsAccessKeyId",
      "awsAccessKeyId and awsSecretAccessKey go together",
    );
  }
  if (set("awsSessionToken") && !sigv4) {
    issue("awsSessionToken", "a session token needs awsAccessKeyId and awsSecretAccessKey");
  }
  if (sigv4 && keys.length > 0) {
    issue("keys", "use either Bedrock API keys (keys) or AWS access keys, not both");
  }
  if (!sigv4 && keys.length === 0) {
    issue(
      "awsAccessKeyId",
      "a bedrock provider needs awsAccessKeyId and awsSecretAccessKey, a Bedrock API key in " +
        'keys, or awsCredentials: "default"',
    );
  }
}

/** Vertex: a readable service-account key, and a project from it or from projectId. */
function refineVertex({ provider, issue, set, keys }: Check): void {
  if (keys.length > 0) {
    issue("keys", "a vertex provider signs in with serviceAccountJson, not keys");
  }
  if (set("googleCredentials")) {
    if (set("serviceAccountJson")) {
      issue("googleCredentials", 'use either googleCredentials: "default" or serviceAccountJson');
    }
    if (!set("projectId")) {
      issue("projectId", 'googleCredentials: "default" needs projectId');
    }
    return;
  }
  if (!set("serviceAccountJson")) {
    issue(
      "serviceAccountJson",
      'a vertex provider needs a service account JSON key, or googleCredentials: "default"',
    );
  } else if (!String(provider.serviceAccountJson).includes("…")) {
    // A masked value is resolved against the stored one before this runs; anything else is new.
    const sa = parseServiceAccount(String(provider.serviceAccountJson));
    if (!sa.ok) issue("serviceAccountJson", sa.error);
    else if (!set("projectId") && !sa.key.project_id) {
      issue("projectId", "projectId is required when the key has no project_id");
    }
  }
}

/** A Claude subscription: its own OAuth credentials, from a file or pasted, nothing else. */
function refineOAuth({ provider, issue, set, keys }: Check): void {
  if (provider.passthrough === true) {
    issue("passthrough", "a Claude subscription provider uses its own OAuth credentials");
  }
  if (keys.length > 0) {
    issue(
      "keys",
      "a provider with OAuth credentials takes no keys: add another provider for them",
    );
  }
  if (set("oauthCredentialsFile") === set("oauthRefreshToken")) {
    issue(
      "oauthRefreshToken",
      set("oauthCredentialsFile")
        ? "use either oauthCredentialsFile or pasted tokens, not both"
        : "OAuth credentials need oauthRefreshToken (or oauthCredentialsFile); a long-lived " +
          "token from `claude setup-token` goes in keys instead",
    );
  }
  if (set("oauthCredentialsFile") && (set("oauthAccessToken") || set("oauthExpiresAt"))) {
    issue(
      "oauthCredentialsFile",
      "the credentials file already holds the access token and expiry",
    );
  }
}
