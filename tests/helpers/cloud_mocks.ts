/**
 * Mock clouds on loopback that check what the real ones check: a Bedrock runtime that verifies
 * SigV4 with an independent implementation (@smithy/signature-v4) and answers in real AWS
 * event-stream frames; a Google token endpoint that verifies the service account's JWT with
 * the key's public half; Vertex AI's rawPredict routes; and Claude's OAuth token endpoint,
 * which rotates refresh tokens and refuses a reused one.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { SignatureV4 } from "@smithy/signature-v4";
import { anthropicMessage, anthropicSse, type Running, serve } from "./harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const codec = new EventStreamCodec((b) => dec.decode(b), (s) => enc.encode(s));

/** What a mock cloud received. */
export interface CloudRecord {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: Uint8Array;
  text: string;
}

/** What a mock received of one request, body read whole. */
export async function record(req: Request): Promise<CloudRecord> {
  const url = new URL(req.url);
  const body = new Uint8Array(await req.arrayBuffer());
  return {
    method: req.method,
    path: url.pathname,
    search: url.search,
    headers: req.headers,
    body,
    text: dec.decode(body),
  };
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// AWS event stream

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** One `chunk` frame carrying an Anthropic event, as Bedrock sends it. */
export function chunkFrame(event: unknown): Uint8Array {
  const payload = { bytes: b64(enc.encode(JSON.stringify(event))), p: "abcdefghijklmnop" };
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: "chunk" },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: enc.encode(JSON.stringify(payload)),
  });
}

/** An exception frame (`:exception-type: throttlingException`), as Bedrock ends a stream. */
export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: enc.encode(JSON.stringify({ message })),
  });
}

/** The Anthropic events of a simple streamed answer (parsed from the harness's SSE). */
export function anthropicEvents(text: string, model = "claude-sonnet-4-5-20250929"): unknown[] {
  return anthropicSse(text, { model }).map((chunk) => JSON.parse(chunk.split("\ndata: ")[1]));
}

/** A body that delivers `bytes` in small slices, so a decoder must work incrementally. */
export function sliced(bytes: Uint8Array, size = 7, delayMs = 0): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bedrock

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Checks a SigV4 `Authorization` the way AWS does; returns the AWS error name, or null. */
export async function verifySigV4(
  rec: CloudRecord,
  url: URL,
  known: AwsCredentials[],
  now = Date.now(),
  expectedService = "bedrock",
): Promise<string | null> {
  const auth = rec.headers.get("authorization") ?? "";
  const m = auth.match(
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/,
  );
  if (!m) return "IncompleteSignatureException";
  const [, keyId, day, region, service, signedHeaders, signature] = m;
  const creds = known.find((c) => c.accessKeyId === keyId);
  if (!creds) return "UnrecognizedClientException";
  if (service !== expectedService) return "InvalidSignatureException";
  const amzDate = rec.headers.get("x-amz-date") ?? "";
  if (!amzDate.startsWith(day)) return "InvalidSignatureException";
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${
      amzDate.slice(11, 13)
    }:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(now - signingDate.getTime()) > 5 * 60_000) return "InvalidSignatureException";
  const names = signedHeaders.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return "InvalidSignatureException";
  // The payload hash is checked against the body, as AWS does.
  const declared = rec.headers.get("x-amz-content-sha256");
  const actual = hex(await crypto.subtle.digest("SHA-256", rec.body as Uint8Array<ArrayBuffer>));
  if (declared !== null && declared !== actual) return "InvalidSignatureException";
  if (creds.sessionToken && rec.headers.get("x-amz-security-token") !== creds.sessionToken) {
    return "UnrecognizedClientException";
  }
  const headers: Record<string, string> = {};
  for (const name of names) {
    headers[name] = name === "host" ? url.host : rec.headers.get(name) ?? "";
  }
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: rec.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port) || undefined,
    path: url.pathname,
    query,
    headers,
    body: rec.body,
  }, { signingDate });
  const expected = String(signed.headers.authorization ?? signed.headers.Authorization ?? "");
  return expected.endsWith(`Signature=${signature}`) ? null : "InvalidSignatureException";
}

/** A Bedrock error as the runtime sends it. */
export function bedrockError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

/** How the mock answers one authenticated Bedrock call; a Response overrides the default. */
export type BedrockScript = (
  rec: CloudRecord,
  op: "invoke" | "invoke-with-response-stream" | "count-tokens",
  model: string,
  n: number,
) => Response | Promise<Response> | undefined | Promise<undefined>;

/** Bedrock runtime on loopback: SigV4 (or a Bedrock API key) checked, Anthropic answers. */
export function mockBedrock(opts: {
  credentials?: AwsCredentials[];
  apiKeys?: string[];
  script?: BedrockScript;
  /** Slice size and pause of the event-stream body. */
  slice?: number;
  sliceDelayMs?: number;
}): Running & { received: CloudRecord[]; rejected: string[] } {
  const received: CloudRecord[] = [];
  const rejected: string[] = [];
  const server = serve(async (req) => {
    const rec = await record(req);
    received.push(rec);
    const url = new URL(req.url);
    const auth = rec.headers.get("authorization") ?? "";
    let problem: string | null;
    if (auth.startsWith("Bearer ")) {
      problem = (opts.apiKeys ?? []).includes(auth.slice(7)) ? null : "UnrecognizedClientException";
    } else {
      problem = await verifySigV4(rec, url, opts.credentials ?? []);
    }
    if (problem) {
      rejected.push(problem);
      return bedrockError(403, problem, "The request signature we calculated does not match.");
    }
    const match = url.pathname.match(
      /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/,
    );
    if (!match || req.method !== "POST") return bedrockError(404, "UnknownOperationException", "");
    const model = decodeURIComponent(match[1]);
    const op = match[2] as "invoke" | "invoke-with-response-stream" | "count-tokens";
    const scripted = await opts.script?.(rec, op, model, received.length);
    if (scripted) return scripted;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rec.text);
    } catch {
      return bedrockError(400, "ValidationException", "Malformed input request");
    }
    if (op === "count-tokens") {
      const inner = (body.input as { invokeModel?: { body?: string } })?.invokeModel?.body;
      if (typeof inner !== "string") return bedrockError(400, "ValidationException", "no body");
      const invoke = JSON.parse(atob(inner));
      return Response.json({ inputTokens: JSON.stringify(invoke.messages).length });
    }
    if (body.anthropic_version !== "bedrock-2023-05-31" || "model" in body || "stream" in body) {
      return bedrockError(400, "ValidationException", "Malformed input request");
    }
    const id = model.replace(/^[a-z-]+\.anthropic\./, "").replace(/^anthropic\./, "")
      .replace(/-v\d+(:\d+)?$/, "");
    if (op === "invoke") {
      return Response.json(anthropicMessage("hello from bedrock", id), {
        headers: { "x-amzn-requestid": crypto.randomUUID() },
      });
    }
    const frames = concat(anthropicEvents("hello from bedrock stream", id).map(chunkFrame));
    return new Response(sliced(frames, opts.slice ?? 7, opts.sliceDelayMs ?? 0), {
      headers: {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": crypto.randomUUID(),
        "x-amzn-bedrock-content-type": "application/json",
      },
    });
  });
  return { ...server, received, rejected };
}

// ---------------------------------------------------------------------------------------------
// Google: service account, token endpoint, Vertex

function pem(label: string, der: ArrayBuffer): string {
  const b = b64(new Uint8Array(der));
  return `-----BEGIN ${label}-----\n${b.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

/** A fresh RSA key pair and the service-account JSON built from it. */
export async function makeServiceAccount(tokenUri: string, projectId = "detour-test-project") {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", pair.privateKey);
  const json = {
    type: "service_account",
    project_id: projectId,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: pem("PRIVATE KEY", pkcs8),
    client_email: `detour@${projectId}.iam.gserviceaccount.com`,
    client_id: "100000000000000000001",
    token_uri: tokenUri,
  };
  return { json, text: JSON.stringify(json), publicKey: pair.publicKey };
}

function b64urlDecode(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Google's token endpoint: the JWT bearer grant, with the assertion's RS256 signature checked
 * against the service account's public key and its claims checked as Google does.
 */
export function mockGoogleToken(opts: {
  publicKey: () => CryptoKey;
  clientEmail: () => string;
  expiresIn?: number;
  delayMs?: number;
}): Running & { exchanges: number; issued: Set<string>; rejected: string[] } {
  const state = { exchanges: 0, issued: new Set<string>(), rejected: [] as string[] };
  const server = serve(async (req) => {
    const url = new URL(req.url);
    const form = new URLSearchParams(await req.text());
    const refuse = (why: string) => {
      state.rejected.push(why);
      return Response.json({ error: "invalid_grant", error_description: why }, { status: 400 });
    };
    if (req.method !== "POST" || url.pathname !== "/token") {
      return new Response(null, { status: 404 });
    }
    if (!(req.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
      return refuse("content type");
    }
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return refuse("unsupported grant_type");
    }
    const parts = (form.get("assertion") ?? "").split(".");
    if (parts.length !== 3) return refuse("malformed assertion");
    const header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    const claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
    if (header.alg !== "RS256") return refuse("alg");
    const ok = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      opts.publicKey(),
      b64urlDecode(parts[2]),
      enc.encode(`${parts[0]}.${parts[1]}`),
    );
    if (!ok) return refuse("Invalid JWT Signature.");
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== opts.clientEmail()) return refuse("iss");
    if (claims.aud !== `${url.origin}/token`) return refuse("aud");
    if (
      !String(claims.scope).split(" ").includes("https://www.googleapis.com/auth/cloud-platform")
    ) {
      return refuse("scope");
    }
    if (!(claims.iat <= now + 60 && claims.exp > now && claims.exp - claims.iat <= 3600)) {
      return refuse("Invalid JWT: Token must be a short-lived token");
    }
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    state.exchanges++;
    const token = `ya29.mock-${state.exchanges}-${crypto.randomUUID().slice(0, 8)}`;
    state.issued.add(token);
    return Response.json({
      access_token: token,
      expires_in: opts.expiresIn ?? 3599,
      token_type: "Bearer",
    });
  });
  return Object.assign(state, server);
}

/** A Google API error, as Vertex sends them. */
export function googleError(code: number, status: string, message: string): Response {
  return Response.json({ error: { code, message, status } }, { status: code });
}

export type VertexScript = (
  rec: CloudRecord,
  op: "rawPredict" | "streamRawPredict" | "count",
  model: string,
  n: number,
) => Response | Promise<Response> | undefined | Promise<undefined>;

/** Vertex AI's Claude routes: the Bearer token must be one the token endpoint issued. */
export function mockVertex(opts: {
  tokens: () => Set<string>;
  script?: VertexScript;
}): Running & { received: CloudRecord[] } {
  const received: CloudRecord[] = [];
  const server = serve(async (req) => {
    const rec = await record(req);
    received.push(rec);
    const token = (rec.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    if (!opts.tokens().has(token)) {
      return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }
    const url = new URL(req.url);
    const m = url.pathname.match(
      /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/,
    );
    if (!m) return googleError(404, "NOT_FOUND", "not found");
    const model = decodeURIComponent(m[3]);
    const op = model === "count-tokens" ? "count" : m[4] as "rawPredict" | "streamRawPredict";
    const scripted = await opts.script?.(rec, op, model, received.length);
    if (scripted) return scripted;
    const body = JSON.parse(rec.text);
    if (body.anthropic_version !== "vertex-2023-10-16") {
      return googleError(400, "INVALID_ARGUMENT", "anthropic_version");
    }
    if (op === "count") {
      return Response.json({ input_tokens: JSON.stringify(body.messages).length });
    }
    if ("model" in body) return googleError(400, "INVALID_ARGUMENT", "model is in the path");
    const id = model.replace("@", "-");
    if (op === "rawPredict") return Response.json(anthropicMessage("hello from vertex", id));
    const sse = anthropicSse("hello from vertex stream", { model: id }).join("");
    return new Response(sliced(enc.encode(sse), 64), {
      headers: { "content-type": "text/event-stream" },
    });
  });
  return { ...server, received };
}

// ---------------------------------------------------------------------------------------------
// Claude OAuth and the API that takes its access tokens

/**
 * Claude's OAuth token endpoint: every refresh rotates the refresh token; a refresh token used
 * once is dead, and using it again is refused (`invalid_grant`), as a real IdP does.
 */
export function mockClaudeOAuth(opts: {
  refreshToken: string;
  accessToken?: string;
  accessExpiresAt?: number;
  expiresIn?: number;
  delayMs?: number;
}): Running & {
  refreshes: number;
  refused: number;
  validRefresh: string;
  access: Map<string, number>;
  revoke(token: string): void;
} {
  const state = {
    refreshes: 0,
    refused: 0,
    validRefresh: opts.refreshToken,
    access: new Map<string, number>(),
    revoke(token: string) {
      state.access.delete(token);
    },
  };
  if (opts.accessToken) state.access.set(opts.accessToken, opts.accessExpiresAt ?? Infinity);
  const server = serve(async (req) => {
    const body = await req.json().catch(() => ({}));
    if (
      body.grant_type !== "refresh_token" ||
      body.client_id !== "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    ) {
      state.refused++;
      return Response.json({ error: "invalid_request" }, { status: 400 });
    }
    if (body.refresh_token !== state.validRefresh) {
      state.refused++;
      return Response.json({
        error: "invalid_grant",
        error_description: "Refresh token not found or invalid",
      }, { status: 400 });
    }
    // Rotate at once: the old refresh token is spent the moment it is presented.
    state.refreshes++;
    state.validRefresh = `sk-ant-ort01-rotated-${state.refreshes}-${crypto.randomUUID()}`;
    const issuedRefresh = state.validRefresh;
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const access = `sk-ant-oat01-fresh-${state.refreshes}-${crypto.randomUUID()}`;
    const expiresIn = opts.expiresIn ?? 28_800;
    state.access.set(access, Date.now() + expiresIn * 1000);
    return Response.json({
      token_type: "Bearer",
      access_token: access,
      expires_in: expiresIn,
      refresh_token: issuedRefresh,
      scope: "user:inference user:profile",
    });
  });
  return Object.assign(state, server);
}

/** Anthropic's API for OAuth tokens: Bearer must be a live access token, with the OAuth beta. */
export function mockSubscriptionApi(
  access: () => Map<string, number>,
  /** Headers every answer carries (e.g. the unified rate-limit gauges). */
  headers: () => Record<string, string> = () => ({}),
): Running & { received: CloudRecord[]; tokensSeen: string[] } {
  const received: CloudRecord[] = [];
  const tokensSeen: string[] = [];
  const server = serve(async (req) => {
    const rec = await record(req);
    received.push(rec);
    const token = (rec.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    tokensSeen.push(token);
    const expires = access().get(token);
    const betas = (rec.headers.get("anthropic-beta") ?? "").split(",").map((b) => b.trim());
    if (expires === undefined || expires < Date.now() || !betas.includes("oauth-2025-04-20")) {
      return Response.json({
        type: "error",
        error: { type: "authentication_error", message: "OAuth token has expired." },
      }, { status: 401 });
    }
    if (rec.method === "GET" && rec.path === "/v1/models") {
      return Response.json({ data: [{ type: "model", id: "claude-opus-4-8" }], has_more: false });
    }
    const body = JSON.parse(rec.text);
    return Response.json(anthropicMessage("hello from your subscription", body.model), {
      headers: headers(),
    });
  });
  return { ...server, received, tokensSeen };
}
