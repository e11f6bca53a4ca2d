/**
 * OpenAI Chat Completions upstreams (OpenRouter's chat API, OpenAI, Groq, DeepSeek, Gemini's and
 * Cloudflare's OpenAI-compatible endpoints, Ollama, vLLM, LM Studio): Anthropic requests are
 * translated on the way out and answers translated back to the Anthropic wire (JSON or SSE),
 * so the engine classifies them like any other. count_tokens is answered locally (an estimate).
 *
 * OpenAI-format requests from `POST /v1/chat/completions` pass through untranslated (model map,
 * drop-fields and limits applied); their answers come back as OpenAI bytes marked with
 * `x-detour-wire: openai`, streams wrapped so the engine can still peek them (see `envelope`).
 */
import { readBoundedText } from "../http/body.ts";
import type { Provider } from "../config/schema.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { AttemptCall } from "../fallback/interceptors.ts";
import type { Attempt, AttemptCredential } from "../fallback/plan.ts";
import type { Logger } from "../log.ts";
import { forwardableResponseHeaders } from "../http/headers.ts";
import { outputLimit } from "../repair/limits.ts";
import { reduceSchemaForGemini } from "../repair/schema.ts";
import { logRepairs } from "../repair/wrap.ts";
import { anthropicToOpenAIRequest } from "../translate/anthropic_to_openai.ts";
import { estimateInputTokens } from "../translate/estimate.ts";
import {
  anthropicErrorType,
  errorMessageOf,
  messageToAnthropicSse,
  openAIResponseToAnthropic,
  openAIStreamToAnthropic,
} from "../translate/openai_to_anthropic.ts";
import { type EventSourceMessage, namedEvent, sseEventStream } from "../translate/sse.ts";
import { fnv64 } from "../fingerprint.ts";
import { obj, tryJson } from "../json_shape.ts";
import { errorBodyOf, errorHintsOf } from "../translate/openai_errors.ts";
import { withFieldHint } from "./profile_step.ts";
import type { ProviderAdapter } from "./types.ts";
import { type ChatInbound, WIRE_HEADER } from "./openai_wire.ts";

type Json = Record<string, unknown>;

const ERROR_LIMIT = 64 * 1024;

/** `<baseUrl>/chat/completions` (the base keeps its version path, e.g. `/api/v1`). */
export function chatCompletionsUrl(provider: Provider): string {
  return `${provider.baseUrl}/chat/completions`;
}

/** Sets the credential: `Authorization: Bearer` unless the provider names another header. */
function applyOpenAICredential(
  headers: Headers,
  provider: Provider,
  credential: AttemptCredential,
): void {
  if (credential.kind === "none") return;
  // The shared default `x-api-key` means "the type's default" here: OpenAI servers take Bearer.
  const header = credential.kind === "client" || provider.authHeader === "x-api-key" ||
      provider.authHeader === "authorization"
    ? "authorization"
    : provider.authHeader;
  if (header === "authorization") headers.set("authorization", `Bearer ${credential.value}`);
  else headers.set(header, credential.value);
}

function upstreamHeaders(provider: Provider, credential: AttemptCredential, stream: boolean) {
  const headers = new Headers({
    "content-type": "application/json",
    accept: stream ? "text/event-stream" : "application/json",
  });
  for (const [name, value] of Object.entries(provider.headers)) headers.set(name, value);
  applyOpenAICredential(headers, provider, credential);
  return headers;
}

/** The OpenAI-side fixes for an OpenAI-format request sent through unchanged otherwise. */
export function passthroughBody(
  body: Json,
  provider: Provider,
  model: string,
): { body: Json; repairs: string[] } {
  const out: Json = { ...body, model };
  const repairs: string[] = [];
  const field = provider.maxTokensField ?? "max_tokens";
  const other = field === "max_tokens" ? "max_completion_tokens" : "max_tokens";
  if (out[field] === undefined && typeof out[other] === "number") {
    out[field] = out[other];
    delete out[other];
  }
  const limit = outputLimit(provider.maxOutputTokens, model);
  if (limit !== undefined && typeof out[field] === "number" && (out[field] as number) > limit) {
    repairs.push(`clamped ${field} ${out[field]} -> ${limit}`);
    out[field] = limit;
  }
  if (provider.textOnly && Array.isArray(out.messages)) {
    let replaced = 0;
    out.messages = out.messages.map((m) => {
      const msg = obj(m);
      if (!msg || !Array.isArray(msg.content)) return m;
      const content = msg.content.map((part) => {
        const t = obj(part)?.type;
        if (t !== "image_url" && t !== "file" && t !== "input_audio") return part;
        replaced++;
        return {
          type: "text",
          text: `[${t} omitted: provider "${provider.id}" accepts text only]`,
        };
      });
      return { ...msg, content };
    });
    if (replaced) repairs.push(`replaced ${replaced} image(s)/file(s) with a note`);
  }
  if (provider.toolSchema === "gemini" && Array.isArray(out.tools)) {
    out.tools = out.tools.map((t) => {
      const fn = obj(obj(t)?.function);
      return fn
        ? { ...obj(t), function: { ...fn, parameters: reduceSchemaForGemini(fn.parameters) } }
        : t;
    });
    repairs.push("reduced tool schemas for Gemini");
  }
  for (const f of provider.dropFields ?? []) delete out[f];
  if (provider.thinkingMode) {
    setThinkingMode(out, provider.thinkingMode);
    repairs.push(`thinking ${provider.thinkingMode}`);
  }
  return { body: out, repairs };
}

/**
 * The provider's thinking switch, whatever the request asked: `thinking: {type}` as DeepSeek V4
 * documents it (https://api-docs.deepseek.com/guides/thinking_mode); off also drops the effort.
 */
export function setThinkingMode(body: Json, mode: "on" | "off"): void {
  body.thinking = { type: mode === "on" ? "enabled" : "disabled" };
  if (mode === "off") delete body.reasoning_effort;
}

/** Reads at most `ERROR_LIMIT` bytes of a body as text. */
const readSome = (res: Response) => readBoundedText(res, ERROR_LIMIT);

/** 402 (out of credit) means "this key cannot be used now": it falls back like a 403. */
function clientStatus(status: number): number {
  return status === 402 ? 403 : status;
}

function responseHeaders(upstream: Headers, contentType: string): Headers {
  const headers = forwardableResponseHeaders(upstream);
  headers.delete("content-length");
  headers.set("content-type", contentType);
  return headers;
}

/** An upstream error (any status) as an Anthropic error response. */
function anthropicErrorFrom(
  status: number,
  text: string,
  upstream: Headers,
  provider?: Provider,
): Response {
  const parsed = tryJson(text);
  const hints = errorHintsOf(parsed);
  let message = errorMessageOf(parsed) ?? (text.trim().slice(0, 500) || `HTTP ${status}`);
  if (provider && (status === 400 || status === 422)) message = withFieldHint(message, provider);
  const type = anthropicErrorType(status, hints.code, hints.type);
  return new Response(JSON.stringify({ type: "error", error: { type, message } }), {
    status: clientStatus(status),
    headers: responseHeaders(upstream, "application/json"),
  });
}

/** A 200 body that is an error after all (OpenRouter can do that). */
function embeddedErrorStatus(body: Json): number | null {
  if (body.error === undefined || Array.isArray(body.choices)) return null;
  const code = obj(body.error)?.code;
  return typeof code === "number" && code >= 400 && code < 600 ? code : 502;
}

const encoder = new TextEncoder();

/**
 * OpenAI SSE relayed in an envelope the engine can peek: chunks that carry no content yet go
 * out as `event: ping` (preamble), the rest as `event: openai`; an upstream error becomes an
 * Anthropic `event: error` (so an error before content still falls back), and the end is marked
 * with `event: message_stop`. The chat route unwraps it back to plain `data:` lines.
 */
export function envelope(): TransformStream<EventSourceMessage, Uint8Array> {
  let committed = false;
  let finished = false;
  let ended = false;
  const raw = (name: string, data: string) => encoder.encode(`event: ${name}\ndata: ${data}\n\n`);
  return new TransformStream({
    transform(event, controller) {
      if (ended) return;
      if (event.data === "[DONE]") {
        ended = true;
        controller.enqueue(raw("openai", "[DONE]"));
        controller.enqueue(namedEvent("message_stop", { type: "message_stop" }));
        return;
      }
      const chunk = obj(tryJson(event.data));
      if (!chunk) return;
      const choice = obj(Array.isArray(chunk.choices) ? chunk.choices[0] : undefined);
      if (
        (chunk.error !== undefined && chunk.error !== null) || choice?.finish_reason === "error"
      ) {
        ended = true;
        const e = obj(chunk.error);
        controller.enqueue(namedEvent("error", {
          type: "error",
          error: {
            type: anthropicErrorType(undefined, e?.code, e?.type),
            message: errorMessageOf(chunk) ?? "upstream stream error",
          },
        }));
        return;
      }
      const delta = obj(choice?.delta) ?? {};
      const content = (typeof delta.content === "string" && delta.content !== "") ||
        !!delta.reasoning_content || !!delta.reasoning || Array.isArray(delta.tool_calls) ||
        (choice?.finish_reason !== null && choice?.finish_reason !== undefined);
      if (choice?.finish_reason) finished = true;
      if (content) committed = true;
      controller.enqueue(raw(committed ? "openai" : "ping", event.data));
    },
    flush(controller) {
      if (ended) return;
      if (committed && finished) {
        controller.enqueue(namedEvent("message_stop", { type: "message_stop" }));
      } else {
        controller.enqueue(namedEvent("error", {
          type: "error",
          error: { type: "api_error", message: "the upstream stream ended before the answer" },
        }));
      }
    },
  });
}

/** The OpenAI Chat Completions adapter: model lists fetched with `fetch`, repairs logged. */
export function openaiAdapter(deps: { fetch: typeof fetch; logger?: Logger }): ProviderAdapter {
  return {
    prepare: (call) => prepareChat(call, deps.logger),
    toAnthropic: chatToAnthropic,
    listModels: (provider, credential, _headers, signal) =>
      listChatModels(deps.fetch, provider, credential, signal),
  };
}

/** The upstream request for one try (or a local token-count estimate). */
function prepareChat(
  { req, attempt, signal }: AttemptCall,
  logger: Logger | undefined,
): Request | Response {
  const provider = attempt.provider;
  if (req.endpoint === "count_tokens") {
    // No upstream has this endpoint: a local estimate, marked as one.
    return Response.json({ input_tokens: estimateInputTokens(req.json) }, {
      headers: { "x-detour-estimate": "true" },
    });
  }
  const chat = (req as ChatInbound).openai;
  let body: Json;
  if (chat) {
    const fixed = passthroughBody(chat, provider, attempt.model);
    logRepairs(logger, req, provider.id, fixed.repairs);
    body = fixed.body;
  } else {
    body = anthropicToOpenAIRequest(req.json, {
      model: attempt.model,
      reasoning: provider.reasoning,
      reasoningHistory: provider.reasoningHistory,
      maxTokensField: provider.maxTokensField,
      keepCacheControl: provider.keepCacheControl,
      dropFields: provider.dropFields,
    }, fnv64);
    if (provider.thinkingMode) setThinkingMode(body, provider.thinkingMode);
  }
  return new Request(chatCompletionsUrl(provider), {
    method: "POST",
    headers: upstreamHeaders(provider, attempt.credential, req.stream),
    body: JSON.stringify(body),
    signal,
  });
}

/** The upstream answer on the Anthropic wire (or OpenAI bytes, marked, for passthrough). */
async function chatToAnthropic(
  upstream: Response,
  req: InboundRequest,
  attempt: Attempt,
  call?: AttemptCall,
): Promise<Response> {
  if (req.endpoint === "count_tokens") return upstream;
  const provider = attempt.provider;
  const passthrough = !!(req as ChatInbound).openai;
  const opts = { model: attempt.model, provider: provider.id, onAnswer: call?.onAnswer };
  const isSse = (upstream.headers.get("content-type") ?? "").includes("text/event-stream");

  if (!upstream.ok) {
    const text = await readSome(upstream);
    if (!passthrough) {
      return anthropicErrorFrom(upstream.status, text, upstream.headers, provider);
    }
    const headers = responseHeaders(upstream.headers, "application/json");
    headers.set(WIRE_HEADER, "openai");
    return new Response(text, { status: clientStatus(upstream.status), headers });
  }

  if (isSse && upstream.body) {
    const events = upstream.body.pipeThrough(sseEventStream());
    const body = events.pipeThrough(passthrough ? envelope() : openAIStreamToAnthropic(opts));
    const headers = responseHeaders(upstream.headers, "text/event-stream; charset=utf-8");
    if (passthrough) headers.set(WIRE_HEADER, "openai");
    return new Response(body, { status: 200, headers });
  }

  const text = await upstream.text();
  // Gemini can wrap an error in an array even with 200 (see errorBodyOf).
  const parsed = obj(errorBodyOf(tryJson(text)));
  if (!parsed) {
    return anthropicErrorFrom(
      502,
      `the upstream answered with invalid JSON: ${text}`,
      upstream.headers,
    );
  }
  const errorStatus = embeddedErrorStatus(parsed);
  if (errorStatus !== null) return anthropicErrorFrom(errorStatus, text, upstream.headers);
  if (passthrough) {
    const headers = responseHeaders(upstream.headers, "application/json");
    headers.set(WIRE_HEADER, "openai");
    if (!req.stream) return new Response(text, { status: 200, headers });
  }
  const message = openAIResponseToAnthropic(parsed, opts);
  if (req.stream) {
    // Asked to stream, answered whole: replay it as a stream.
    const events = messageToAnthropicSse(message);
    return new Response(
      new ReadableStream({
        start(c) {
          for (const e of events) c.enqueue(e);
          c.close();
        },
      }),
      { headers: responseHeaders(upstream.headers, "text/event-stream; charset=utf-8") },
    );
  }
  return new Response(JSON.stringify(message), {
    status: 200,
    headers: responseHeaders(upstream.headers, "application/json"),
  });
}

/** Model ids from the upstream's `GET /models`. */
async function listChatModels(
  doFetch: typeof fetch,
  provider: Provider,
  credential: AttemptCredential,
  signal: AbortSignal,
): Promise<string[]> {
  const headers = upstreamHeaders(provider, credential, false);
  headers.delete("content-type");
  const res = await doFetch(`${provider.baseUrl}/models`, { headers, signal });
  if (!res.ok) {
    await res.body?.cancel();
    return [];
  }
  const body = await res.json().catch(() => null) as { data?: { id?: unknown }[] } | null;
  return (body?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
}
