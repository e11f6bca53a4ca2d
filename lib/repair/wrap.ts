/**
 * The shared repair step, as attempt interceptors (lib/fallback/interceptors.ts): per attempt,
 * the request is repaired for that attempt's provider before the adapter builds the upstream
 * request, what changed is logged with the request id, the conversation book learns who served
 * the turn, and an Anthropic-wire upstream that still rejects a thinking signature (400) is
 * retried once with every thinking block removed.
 */
import { baseProfileName } from "../providers/profile_presets.ts";
import type { Provider } from "../config/schema.ts";
import type { LiveConfig } from "../config/live_config.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Interceptor } from "../fallback/interceptors.ts";
import type { Attempt } from "../fallback/plan.ts";
import type { Logger } from "../log.ts";
import { obj } from "../json_shape.ts";
import { outputLimit } from "./limits.ts";
import { repairRequest, type RepairTarget } from "./repair.ts";
import type { ConversationBook, ConversationView } from "./conversation.ts";

/** What the repair step needs from the running app. */
export interface RepairEnv {
  logger: Logger;
  live: LiveConfig;
  /** The app's conversation book, shared with session affinity. */
  conversations: ConversationBook;
}

/** Logs what a repair changed, with the request id. */
export function logRepairs(
  logger: Logger | undefined,
  req: InboundRequest,
  provider: string,
  repairs: string[],
): void {
  if (repairs.length === 0) return;
  logger?.info("repair", { id: req.id, provider, repairs });
}

/** Anthropic-compatible endpoints that need each earlier turn's thinking when thinking is on. */
const THINKING_PASSBACK = /deepseek|kimi|moonshot/i;
/** Capability profiles (lib/providers/profile_presets.ts) of the endpoints that need it. */
const PASSBACK_PROFILES = new Set(["deepseek", "kimi"]);

/** The repair view of a provider. */
export function repairTarget(provider: Provider, model: string): RepairTarget {
  const openai = provider.type === "openai";
  return {
    id: provider.id,
    family: openai ? "openai" : "anthropic",
    maxOutputTokens: outputLimit(provider.maxOutputTokens, model),
    textOnly: provider.textOnly,
    toolSchema: provider.toolSchema,
    // Gemini's own endpoints (Google AI, Vertex); routers carry signatures their own way.
    thoughtSignatures: openai &&
      (provider.toolSchema === "gemini" || /googleapis\.com/.test(provider.baseUrl)),
    reasoningHistory: openai ? provider.reasoningHistory : undefined,
    thinkingPassback: provider.type === "anthropic" &&
      (PASSBACK_PROFILES.has(baseProfileName(provider) ?? "") ||
        THINKING_PASSBACK.test(`${model} ${provider.baseUrl}`)),
  };
}

/** True when the body holds any thinking block (a signature error can only be about those). */
function hasThinking(body: Record<string, unknown>): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.some((m) =>
    Array.isArray(obj(m)?.content) &&
    (obj(m)!.content as unknown[]).some((b) => {
      const t = obj(b)?.type;
      return t === "thinking" || t === "redacted_thinking";
    })
  );
}

/** `req` with a repaired body (the same object when nothing changed). */
export function repairedInbound(
  env: RepairEnv,
  req: InboundRequest,
  attempt: Attempt,
  stripAllThinking = false,
  view?: ConversationView,
): InboundRequest {
  const provider = attempt.provider;
  // An OpenAI-format request served by an OpenAI provider is passed through: the adapter
  // applies the OpenAI-side fixes itself.
  if (provider.type === "openai" && (req as { openai?: unknown }).openai) return req;
  const { body, repairs } = repairRequest(req.json, {
    target: repairTarget(provider, attempt.model),
    producerOf: view ? undefined : env.conversations.producers(req.headers, req.json, req),
    view,
    stripAllThinking,
  });
  logRepairs(env.logger, req, provider.id, repairs);
  if (body === req.json) return req;
  return {
    ...req,
    json: body,
    raw: new TextEncoder().encode(JSON.stringify(body)),
    model: typeof body.model === "string" ? body.model : req.model,
    // Another body: nothing worked out from the client's applies.
    memo: undefined,
  };
}

/** The conversation record for a Messages request the repair step will change (else none). */
function recallFor(
  env: RepairEnv,
  req: InboundRequest,
  attempt: Attempt,
): Promise<ConversationView | undefined> | undefined {
  const passthrough = attempt.provider.type === "openai" && (req as { openai?: unknown }).openai;
  if (req.endpoint !== "messages" || passthrough) return undefined;
  return env.conversations.recall(req.headers, req.json, req);
}

const SIGNATURE_ERROR = /signature/i;
const ERROR_PEEK = 64 * 1024;

/**
 * Repairs the call's request for its provider; when an Anthropic-wire upstream still refuses a
 * thinking signature, sends it once more without any thinking.
 */
export function repairStep(env: RepairEnv): Interceptor {
  return async (call, next) => {
    const original = call.req;
    const view = await recallFor(env, original, call.attempt);
    call.req = repairedInbound(env, original, call.attempt, false, view);
    const upstream = await next();
    if (
      upstream.status !== 400 || call.attempt.provider.type === "openai" ||
      !hasThinking(call.req.json)
    ) return upstream;
    const text = (await upstream.text().catch(() => "")).slice(0, ERROR_PEEK);
    if (SIGNATURE_ERROR.test(text)) {
      // A last resort: the record should have kept foreign thinking away from this upstream.
      env.logger.warn("repair", {
        id: original.id,
        provider: call.attempt.provider.id,
        repairs: ["the upstream refused a thinking signature: retrying once without thinking"],
      });
      call.req = repairedInbound(env, original, call.attempt, true, view);
      return next();
    }
    // The text may be cut at ERROR_PEEK, so the upstream's length no longer holds.
    const headers = new Headers(upstream.headers);
    headers.delete("content-length");
    return new Response(text, { status: upstream.status, headers });
  };
}

/**
 * Tells the conversation book who served a Messages turn (2xx), or that a provider failed
 * (a `fallbackOn` status). Sits outside the adapter's translation: it reads Anthropic statuses.
 */
export function recordConversation(env: RepairEnv): Interceptor {
  return async (call, next) => {
    const req = call.req; // the client's request, before repair
    const provider = call.attempt.provider.id;
    // A translated answer tells its facts once whole; they are recorded with the turn.
    const translated = call.attempt.provider.type === "openai" &&
      !(req as { openai?: unknown }).openai;
    if (req.endpoint === "messages" && translated) {
      call.onAnswer = (facts) =>
        env.conversations.answered(req.headers, req.json, provider, facts, req);
    }
    const out = await next();
    if (req.endpoint === "messages") {
      if (out.status >= 200 && out.status < 300) {
        env.conversations.served(req.headers, req.json, provider, req, !translated);
      } else if (env.live.config.fallbackOn.includes(out.status)) {
        env.conversations.markUnhealthy(provider);
      }
    }
    return out;
  };
}
