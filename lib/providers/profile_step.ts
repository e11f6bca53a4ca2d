/**
 * The capability profile as an attempt interceptor (after the repair step, so what is sent is
 * what the upstream takes), and the naming of a field an upstream still refused: the client's
 * 400 then says which field it was and which profile rule drops it. OpenAI upstreams' errors are
 * named where openai.ts translates them.
 */
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Interceptor } from "../fallback/interceptors.ts";
import { readBoundedText } from "../http/body.ts";
import { obj, tryJson } from "../json_shape.ts";
import type { Logger } from "../log.ts";
import { applyProfile, type Fitted, profileOf } from "./profile.ts";

const ERROR_LIMIT = 64 * 1024;

/** `req` carrying a fitted body and headers (raw bytes re-encoded once). */
function fittedInbound(req: InboundRequest, fitted: Fitted): InboundRequest {
  const body = fitted.body;
  return {
    ...req,
    json: body,
    headers: fitted.headers,
    raw: new TextEncoder().encode(JSON.stringify(body)),
    model: typeof body.model === "string" ? body.model : req.model,
    // Another body: nothing worked out from the client's applies.
    memo: undefined,
  };
}

/**
 * Fits each try's request to its provider's profile (nothing at all for an identity profile),
 * logs what changed, and names the field in a 400 that refuses one (all but OpenAI upstreams).
 */
export function profileStep(logger?: Logger): Interceptor {
  return async (call, next) => {
    const provider = call.attempt.provider;
    const profile = profileOf(provider);
    // OpenAI-format requests to OpenAI providers go through untranslated (no Anthropic body).
    const chatPassthrough = provider.type === "openai" &&
      !!(call.req as { openai?: unknown }).openai;
    if (profile && !chatPassthrough) {
      const fitted = applyProfile(profile, call.req.json, call.req.headers);
      if (fitted.changes.length) {
        logger?.info("profile", {
          id: call.req.id,
          provider: provider.id,
          changes: fitted.changes,
        });
        call.req = fittedInbound(call.req, fitted);
      }
    }
    const upstream = await next();
    // OpenAI upstreams name the field in their translated error (openai.ts).
    if (upstream.status !== 400 || provider.type === "openai") return upstream;
    return await nameRefusedField(upstream, provider);
  };
}

const FIELD_PATTERNS: readonly RegExp[] = [
  // Bedrock: "Malformed input request: #: extraneous key [speed] is not permitted, …"
  /extraneous key \[([A-Za-z_][\w.]*)\] is not permitted/,
  // pydantic (many gateways): "context_management: Extra inputs are not permitted"
  /(?:^|[\s"'(])(?:body\.)?([A-Za-z_][\w.[\]-]*)\s*:\s*(?:Extra inputs are not permitted|Extra (?:inputs|fields) not permitted|Input should be|Input tag)/,
  /unknown (?:field|parameter|name|property|key)[:\s]+[`'"]?([A-Za-z_][\w.[\]-]*)/i,
  /Unrecognized request argument supplied:\s*([A-Za-z_][\w.]*)/i,
  /Unsupported parameter:\s*'?([A-Za-z_][\w.]*)/i,
  /Unknown name "([A-Za-z_][\w.]*)"/,
  /Unexpected (?:field|key|parameter|property)[:\s]+[`'"]?([A-Za-z_][\w.]*)/i,
  /[`'"]([A-Za-z_][\w.]*)[`'"]\s+(?:is not (?:supported|permitted|allowed)|is unsupported|not allowed)/i,
];

/** The request field (or `anthropic-beta`) an upstream's error message says it refused. */
export function refusedField(message: string): string | null {
  if (/anthropic[-_]beta|beta flag/i.test(message)) return "anthropic-beta";
  for (const pattern of FIELD_PATTERNS) {
    const m = message.match(pattern);
    if (m) return m[1];
  }
  return null;
}

/** Which profile rule drops a refused field (Anthropic-wire providers), as a short hint. */
function ruleFor(path: string): string {
  if (path === "anthropic-beta") return `list the betas it takes in "betas"`;
  if (/cache_control/.test(path)) return `set "cacheControl" to "basic" or "drop"`;
  if (/^tools\b/.test(path)) return `set "toolExtras" or "serverTools" to "drop"`;
  if (/^thinking\b/.test(path)) return `set "adaptiveThinking" to "enabled" or "drop"`;
  if (/^messages\.\d+\.role/.test(path)) return `set "systemMessages" to "user"`;
  if (/content\.\d+\.type/.test(path)) return `list the block types it takes in "blockTypes"`;
  return `add "${path.split(".")[0]}" to "dropFields"`;
}

/**
 * An upstream's refusal message with the field named and how to stop sending it, or the
 * message unchanged when it names no field.
 */
export function withFieldHint(message: string, provider: Provider): string {
  const field = refusedField(message);
  if (!field) return message;
  const fix = provider.type === "openai"
    ? `add "${field.split(".")[0]}" to its "dropFields"`
    : `in its capability profile, ${ruleFor(field)}`;
  return `${message} [Detour: provider "${provider.id}" refused the field "${field}"; ${fix}]`;
}

/**
 * A 400 from an Anthropic-wire upstream (or a cloud's raw error), its message naming the refused
 * field where it can: `error.message` in the Anthropic and Google shapes, `message` in Bedrock's.
 */
export async function nameRefusedField(upstream: Response, provider: Provider): Promise<Response> {
  const text = await readBoundedText(upstream, ERROR_LIMIT);
  const headers = new Headers(upstream.headers);
  headers.delete("content-length");
  const body = obj(tryJson(text));
  const error = obj(body?.error);
  const original = error ? error.message : body?.message;
  const message = typeof original === "string" ? withFieldHint(original, provider) : original;
  if (!body || message === original) {
    return new Response(text, { status: upstream.status, headers });
  }
  const named = error ? { ...body, error: { ...error, message } } : { ...body, message };
  return new Response(JSON.stringify(named), { status: upstream.status, headers });
}
