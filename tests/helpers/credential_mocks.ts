/**
 * Mock endpoints of the cloud credential sources on loopback, each checking what the real one
 * checks: the AWS IAM Identity Center portal (SSO GetRoleCredentials), STS GetCallerIdentity
 * (SigV4-verified), Google's OAuth token endpoint for a user's refresh token, and the GCE
 * metadata server.
 */
import { type Running, serve } from "./harness.ts";
import { type AwsCredentials, record, verifySigV4 } from "./cloud_mocks.ts";

/**
 * The SSO portal's GetRoleCredentials: `GET /federation/credentials?account_id&role_name` with
 * the cached access token in `x-amz-sso_bearer_token`.
 * https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
 */
export function mockAwsSso(opts: {
  accessToken: string;
  accountId: string;
  roleName: string;
  credentials: AwsCredentials;
}): Running & { calls: number } {
  const state = { calls: 0 };
  const server = serve((req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || url.pathname !== "/federation/credentials") {
      return Response.json({ message: "not found" }, { status: 404 });
    }
    if (req.headers.get("x-amz-sso_bearer_token") !== opts.accessToken) {
      return Response.json({ message: "Session token not found or invalid" }, {
        status: 401,
        headers: { "x-amzn-errortype": "UnauthorizedException" },
      });
    }
    const account = url.searchParams.get("account_id");
    const role = url.searchParams.get("role_name");
    if (account !== opts.accountId || role !== opts.roleName) {
      return Response.json({ message: "No access" }, {
        status: 403,
        headers: { "x-amzn-errortype": "ForbiddenException" },
      });
    }
    state.calls++;
    return Response.json({
      roleCredentials: {
        accessKeyId: opts.credentials.accessKeyId,
        secretAccessKey: opts.credentials.secretAccessKey,
        sessionToken: opts.credentials.sessionToken,
        expiration: Date.now() + 3600_000,
      },
    });
  });
  return Object.assign(state, server);
}

/**
 * STS GetCallerIdentity (Query API over POST, SigV4 for service `sts`, XML answer).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export function mockSts(
  callers: { credentials: AwsCredentials; arn: string; account: string }[],
): Running & { rejected: string[] } {
  const rejected: string[] = [];
  const server = serve(async (req) => {
    const rec = await record(req);
    const url = new URL(req.url);
    const problem = await verifySigV4(
      rec,
      url,
      callers.map((c) => c.credentials),
      Date.now(),
      "sts",
    );
    const form = new URLSearchParams(rec.text);
    const error = (code: string) => {
      rejected.push(code);
      return new Response(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code></Error></ErrorResponse>`,
        { status: 403, headers: { "content-type": "text/xml" } },
      );
    };
    if (problem) return error(problem);
    if (form.get("Action") !== "GetCallerIdentity" || form.get("Version") !== "2011-06-15") {
      return error("InvalidAction");
    }
    const keyId = /Credential=([^/]+)\//.exec(rec.headers.get("authorization") ?? "")?.[1];
    const caller = callers.find((c) => c.credentials.accessKeyId === keyId)!;
    return new Response(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${caller.arn}</Arn>
    <UserId>AROAEXAMPLE:session</UserId>
    <Account>${caller.account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`,
      { headers: { "content-type": "text/xml" } },
    );
  });
  return { ...server, rejected };
}

const b64url = (text: string) =>
  btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * Google's token endpoint for a user's refresh token (what `gcloud auth application-default
 * login` stores): `grant_type=refresh_token` with the client id and secret; the answer carries
 * an ID token since gcloud asks for `openid email`.
 * https://developers.google.com/identity/protocols/oauth2/web-server#offline
 */
export function mockGoogleUserToken(opts: {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  email: string;
}): Running & { refreshes: number; issued: Set<string>; rejected: string[] } {
  const state = { refreshes: 0, issued: new Set<string>(), rejected: [] as string[] };
  const server = serve(async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/token") {
      return new Response(null, { status: 404 });
    }
    const form = new URLSearchParams(await req.text());
    const refuse = (error: string, why: string) => {
      state.rejected.push(why);
      return Response.json({ error, error_description: why }, { status: 400 });
    };
    if (!(req.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
      return refuse("invalid_request", "content type");
    }
    if (form.get("grant_type") !== "refresh_token") {
      return refuse("unsupported_grant_type", "grant_type");
    }
    if (
      form.get("client_id") !== opts.clientId || form.get("client_secret") !== opts.clientSecret
    ) {
      return refuse("invalid_client", "The OAuth client was not found.");
    }
    if (form.get("refresh_token") !== opts.refreshToken) {
      return refuse("invalid_grant", "Token has been expired or revoked.");
    }
    state.refreshes++;
    const token = `ya29.user-${state.refreshes}-${crypto.randomUUID().slice(0, 8)}`;
    state.issued.add(token);
    const idToken = [
      b64url(JSON.stringify({ alg: "RS256", typ: "JWT" })),
      b64url(JSON.stringify({ iss: "https://accounts.google.com", email: opts.email })),
      "sig",
    ].join(".");
    return Response.json({
      access_token: token,
      expires_in: 3599,
      scope: "openid https://www.googleapis.com/auth/userinfo.email " +
        "https://www.googleapis.com/auth/cloud-platform",
      token_type: "Bearer",
      id_token: idToken,
    });
  });
  return Object.assign(state, server);
}

/**
 * The GCE metadata server: every request needs `Metadata-Flavor: Google`; the default service
 * account's token and e-mail.
 * https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
 */
export function mockGceMetadata(opts: { email: string }): Running & {
  issued: Set<string>;
  tokenCalls: number;
} {
  const state = { issued: new Set<string>(), tokenCalls: 0 };
  const base = "/computeMetadata/v1/instance/service-accounts/default";
  const server = serve((req) => {
    const url = new URL(req.url);
    if (req.headers.get("metadata-flavor") !== "Google") {
      return new Response("Missing Metadata-Flavor:Google header", { status: 403 });
    }
    const headers = { "metadata-flavor": "Google" };
    if (url.pathname === `${base}/token`) {
      state.tokenCalls++;
      const token = `ya29.gce-${state.tokenCalls}-${crypto.randomUUID().slice(0, 8)}`;
      state.issued.add(token);
      return Response.json({ access_token: token, expires_in: 3599, token_type: "Bearer" }, {
        headers,
      });
    }
    if (url.pathname === `${base}/email`) return new Response(opts.email, { headers });
    if (url.pathname === "/" || url.pathname === "/computeMetadata/v1/instance") {
      return new Response("", { headers });
    }
    return new Response("not found", { status: 404, headers });
  });
  return Object.assign(state, server);
}
