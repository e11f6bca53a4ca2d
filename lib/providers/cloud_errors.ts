/**
 * Bedrock and Vertex errors as Anthropic errors: the status the fallback rules act on
 * (throttling is 429, capacity 503/529, validation 400) and the body Claude Code reads.
 */
import { readBoundedText } from "../http/body.ts";
import { anthropicError, errorTypeForStatus } from "../http/errors.ts";

/** An upstream error in Anthropic terms. */
export interface MappedError {
  status: number;
  type: string;
  /** The cloud's own name for it (`ThrottlingException`, `RESOURCE_EXHAUSTED`). */
  name: string;
}

/** Bedrock exception (any case, with or without namespace) -> Anthropic status and type. */
const BEDROCK: Record<string, [number, string]> = {
  throttlingexception: [429, "rate_limit_error"],
  servicequotaexceededexception: [429, "rate_limit_error"],
  toomanyrequestsexception: [429, "rate_limit_error"],
  serviceunavailableexception: [503, "overloaded_error"],
  modelnotreadyexception: [529, "overloaded_error"],
  internalserverexception: [500, "api_error"],
  modelerrorexception: [500, "api_error"],
  modelstreamerrorexception: [500, "api_error"],
  modeltimeoutexception: [504, "timeout_error"],
  validationexception: [400, "invalid_request_error"],
  serializationexception: [400, "invalid_request_error"],
  conflictexception: [409, "invalid_request_error"],
  resourcenotfoundexception: [404, "not_found_error"],
  accessdeniedexception: [403, "permission_error"],
  unrecognizedclientexception: [401, "authentication_error"],
  invalidsignatureexception: [401, "authentication_error"],
  incompletesignatureexception: [401, "authentication_error"],
  missingauthenticationtokenexception: [401, "authentication_error"],
  expiredtokenexception: [401, "authentication_error"],
  invalidclienttokenidexception: [401, "authentication_error"],
};

/** Bedrock's exception name -> Anthropic terms; unknown names keep `status`. */
export function bedrockErrorFor(exception: string, status: number): MappedError {
  // `ThrottlingException:http://internal.amazon.com/…` or `com.amazon.coral…#ThrottlingException`.
  const name = exception.split(":")[0].split("#").pop()!.trim() || `HTTP ${status}`;
  const known = BEDROCK[name.toLowerCase()];
  if (known) return { status: known[0], type: known[1], name };
  return { status, type: errorTypeForStatus(status), name };
}

/** Google RPC status -> Anthropic status and type. */
const GOOGLE: Record<string, [number, string]> = {
  RESOURCE_EXHAUSTED: [429, "rate_limit_error"],
  UNAVAILABLE: [503, "overloaded_error"],
  DEADLINE_EXCEEDED: [504, "timeout_error"],
  INTERNAL: [500, "api_error"],
  UNKNOWN: [500, "api_error"],
  INVALID_ARGUMENT: [400, "invalid_request_error"],
  FAILED_PRECONDITION: [400, "invalid_request_error"],
  OUT_OF_RANGE: [400, "invalid_request_error"],
  NOT_FOUND: [404, "not_found_error"],
  PERMISSION_DENIED: [403, "permission_error"],
  UNAUTHENTICATED: [401, "authentication_error"],
};

/** Reads at most 64 KiB of an error body as text. */
const readErrorText = (res: Response) => readBoundedText(res);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Headers worth keeping from a cloud error: ids and retry hints. */
function keptHeaders(upstream: Headers, requestIdHeader: string): Headers {
  const out = new Headers();
  const id = upstream.get(requestIdHeader);
  if (id) out.set("request-id", id);
  for (const name of ["retry-after", "retry-after-ms"]) {
    const v = upstream.get(name);
    if (v) out.set(name, v);
  }
  return out;
}

/** A Bedrock error response (`x-amzn-ErrorType` header, `{"message": …}` body) as Anthropic's. */
export async function bedrockErrorResponse(upstream: Response): Promise<Response> {
  const text = await readErrorText(upstream);
  const body = parseJson(text) as Record<string, unknown> | null;
  const exception = upstream.headers.get("x-amzn-errortype") ??
    (typeof body?.__type === "string" ? body.__type : "");
  const mapped = bedrockErrorFor(exception, upstream.status);
  const message = String(body?.message ?? body?.Message ?? (text.slice(0, 300) || "no details"));
  return anthropicError(mapped.status, `Bedrock ${mapped.name}: ${message}`, {
    type: mapped.type,
    headers: keptHeaders(upstream.headers, "x-amzn-requestid"),
  });
}

/**
 * A Vertex error as Anthropic's. Vertex answers either in Anthropic's own shape (errors from
 * the model, passed through as they are) or in Google's (`{"error": {code, message, status}}`,
 * sometimes inside an array), which is mapped.
 */
export async function vertexErrorResponse(upstream: Response): Promise<Response> {
  const text = await readErrorText(upstream);
  let body = parseJson(text) as Record<string, unknown> | Record<string, unknown>[] | null;
  if (Array.isArray(body)) body = body[0] ?? null;
  const headers = keptHeaders(upstream.headers, "x-request-id");
  const anthropicShaped = body?.type === "error" && typeof body.error === "object";
  if (anthropicShaped) {
    headers.set("content-type", "application/json");
    return new Response(text, { status: upstream.status, headers });
  }
  const error = (body?.error ?? {}) as { status?: unknown; message?: unknown };
  const rpc = typeof error.status === "string" ? error.status : "";
  const known = GOOGLE[rpc];
  const status = known?.[0] ?? upstream.status;
  const type = known?.[1] ?? errorTypeForStatus(upstream.status);
  const message = typeof error.message === "string" ? error.message : text.slice(0, 300);
  return anthropicError(status, `Vertex AI ${rpc || `HTTP ${upstream.status}`}: ${message}`, {
    type,
    headers,
  });
}
