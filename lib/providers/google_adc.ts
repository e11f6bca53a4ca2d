/**
 * Google Application Default Credentials, for Vertex providers with `googleCredentials:
 * "default"`, through Google's own `google-auth-library` (it runs under Deno's npm support; its
 * HTTP goes through the app's fetch). It looks, in order, at `GOOGLE_APPLICATION_CREDENTIALS`,
 * gcloud's `application_default_credentials.json` (`gcloud auth application-default login`), and
 * the metadata server (GCE, GKE, Cloud Run). The library is imported on first use only.
 *
 * A service-account key found that way is signed by Detour's own code (google_auth.ts), as a
 * pasted one is: the library's JWT client ignores the key's `token_uri`. An `authorized_user` file
 * that names a `token_uri` gets it honoured too (Python's google-auth does; the Node library
 * always uses Google's).
 */
import { ServiceAccountSchema } from "../config/fields/cloud.ts";
import type * as z from "zod";

/** The scope Vertex AI needs. */
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** When the library names no expiry, the token is asked for again this soon (it caches too). */
const UNKNOWN_EXPIRY_MS = 5 * 60_000;

/** What of the library's auth client Detour uses. */
export interface AdcClient {
  getAccessToken(): Promise<{ token?: string | null }>;
  credentials?: { expiry_date?: number | null; id_token?: string | null };
}

/** Where the default credentials came from, as found once per app. */
export type AdcSource =
  | { kind: "service_account"; key: z.infer<typeof ServiceAccountSchema> }
  | {
    kind: "client";
    /** The credential's type: `authorized_user`, `external_account`, `compute` (metadata). */
    type: string;
    client: AdcClient;
    /** The e-mail the library can tell without a token (metadata server, impersonation). */
    email: () => Promise<string | null>;
    /** The file's `account` field (gcloud's user files), when present. */
    account: string | null;
  };

/**
 * Finds the default credentials (the library's discovery), with `doFetch` for its HTTP.
 * `projectId` spares the library its own project search (it runs `gcloud` and asks the metadata
 * server, seconds where neither is there); Detour takes the project from the provider anyway.
 */
export async function findAdc(doFetch: typeof fetch, projectId?: string): Promise<AdcSource> {
  const { GoogleAuth } = await import("google-auth-library");
  const auth = new GoogleAuth({
    scopes: [SCOPE],
    projectId,
    clientOptions: { transporterOptions: { fetchImplementation: doFetch } },
  });
  const client = await auth.getClient();
  const json = auth.jsonContent as Record<string, unknown> | null;
  if (json?.type === "service_account") {
    const key = ServiceAccountSchema.safeParse(json);
    if (!key.success) {
      throw new Error(`the ADC service-account key: ${key.error.issues[0]?.message}`);
    }
    return { kind: "service_account", key: key.data };
  }
  if (json?.type === "authorized_user" && typeof json.token_uri === "string") {
    const oauth = client as unknown as { endpoints?: Record<string, unknown> };
    if (oauth.endpoints) oauth.endpoints = { ...oauth.endpoints, oauth2TokenUrl: json.token_uri };
  }
  return {
    kind: "client",
    type: typeof json?.type === "string" ? json.type : "compute",
    client: client as unknown as AdcClient,
    email: async () => (await auth.getCredentials()).client_email ?? null,
    account: typeof json?.account === "string" && json.account ? json.account : null,
  };
}

/** A token from the library's client, with when to ask again. */
export async function adcToken(client: AdcClient): Promise<{ token: string; expiresAt: number }> {
  const { token } = await client.getAccessToken();
  if (!token) throw new Error("the default credentials gave no access token");
  const expiry = client.credentials?.expiry_date;
  return { token, expiresAt: typeof expiry === "number" ? expiry : Date.now() + UNKNOWN_EXPIRY_MS };
}

/** Makes the library's client fetch a new token next time (after the API refused this one). */
export function expireAdcToken(client: AdcClient): void {
  if (client.credentials) client.credentials = { ...client.credentials, expiry_date: 1 };
}

/** The user's e-mail from the last refresh's ID token (gcloud's login asks for `email`). */
export function emailOfIdToken(idToken: string | null | undefined): string | null {
  const payload = idToken?.split(".")[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof json.email === "string" ? json.email : null;
  } catch {
    return null;
  }
}
