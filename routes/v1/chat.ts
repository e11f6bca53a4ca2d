/**
 * POST /v1/chat/completions: the OpenAI-compatible entry. The request is translated to an
 * Anthropic request once, runs through the same chain and engine as /v1/messages, and the
 * answer is translated back to OpenAI format. When the provider that serves it is itself
 * `openai`, the original request goes out untranslated and the answer comes back as its bytes
 * (see lib/providers/openai.ts `envelope`): no double translation.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { ClientContext } from "../../lib/auth/client.ts";
import { type AppEnv, callerOf, type Deps } from "../../lib/deps.ts";
import { serveThroughChain } from "../../lib/fallback/serve.ts";
import { BodiesBusy, BodyTooLarge, readBodyLimited } from "../../lib/http/body.ts";
import { type ChatInbound, WIRE_HEADER } from "../../lib/providers/openai_wire.ts";
import {
  anthropicErrorToOpenAI,
  anthropicResponseToOpenAI,
  anthropicStreamToOpenAI,
  openAIErrorBody,
  openAIErrorType,
} from "../../lib/translate/anthropic_to_openai_response.ts";
import {
  openAIRequestToAnthropic,
  UntranslatableRequest,
} from "../../lib/translate/openai_request_to_anthropic.ts";
import { dataEvent, type EventSourceMessage, sseEventStream } from "../../lib/translate/sse.ts";
import { obj, tryJson } from "../../lib/json_shape.ts";

type Json = Record<string, unknown>;

/** An OpenAI-format error response. */
export function openAIError(
  status: number,
  message: string,
  headers: HeadersInit = {},
  code: string | null = null,
): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  if (!h.has("x-detour-provider")) h.set("x-detour-provider", "none");
  return new Response(JSON.stringify(openAIErrorBody(message, openAIErrorType(status), code)), {
    status,
    headers: h,
  });
}

function noProvider(
  skipped: readonly { reason: string }[],
  model: string,
  client: ClientContext,
): Response {
  const reasons = new Set(skipped.map((s) => s.reason));
  if (client.badAccessKey && reasons.has("unauthorized")) {
    return openAIError(403, "Detour: the x-detour-key access key is not valid");
  }
  if (client.loopbackRefused && reasons.has("unauthorized")) {
    return openAIError(
      403,
      `Detour: stored keys need a Detour access key here: ${client.loopbackRefused}`,
    );
  }
  if (reasons.has("unauthorized")) {
    return openAIError(401, "Detour: this request needs a Detour access key (as the API key)");
  }
  if (reasons.has("no_credential")) {
    return openAIError(401, "Detour: send an API key (Authorization: Bearer)");
  }
  return openAIError(
    404,
    `Detour: ${
      reasons.has("model") ? `no enabled provider serves model "${model}"` : "no enabled provider"
    }`,
    {},
    "model_not_found",
  );
}

/** Unwraps the passthrough envelope: `ping`/`openai` events back to plain `data:` lines. */
function unwrapEnvelope(): TransformStream<EventSourceMessage, Uint8Array> {
  const enc = new TextEncoder();
  let ended = false;
  return new TransformStream({
    transform(event, controller) {
      if (ended) return;
      if (event.event === "openai" || event.event === "ping") {
        controller.enqueue(enc.encode(`data: ${event.data}\n\n`));
      } else if (event.event === "error") {
        ended = true;
        const e = obj(obj(tryJson(event.data))?.error) ?? {};
        controller.enqueue(dataEvent(openAIErrorBody(
          typeof e.message === "string" ? e.message : "upstream stream error",
          "server_error",
          typeof e.type === "string" ? e.type : null,
        )));
      } else if (event.event === "message_stop") ended = true;
    },
  });
}

/** Response headers for the client: the engine's, minus the internal marker. */
function clientHeaders(from: Headers, contentType: string): Headers {
  const headers = new Headers(from);
  headers.delete(WIRE_HEADER);
  headers.delete("content-length");
  headers.set("content-type", contentType);
  return headers;
}

/** The engine's Anthropic-wire (or marked OpenAI-wire) answer, in OpenAI format. */
async function toOpenAI(res: Response, includeUsage: boolean, model: string): Promise<Response> {
  const openaiWire = res.headers.get(WIRE_HEADER) === "openai";
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/event-stream") && res.body) {
    const events = res.body.pipeThrough(sseEventStream());
    const body = events.pipeThrough(
      openaiWire ? unwrapEnvelope() : anthropicStreamToOpenAI({ includeUsage, model }),
    );
    return new Response(body, {
      status: res.status,
      headers: clientHeaders(res.headers, "text/event-stream; charset=utf-8"),
    });
  }
  if (openaiWire) {
    return new Response(res.body, {
      status: res.status,
      headers: clientHeaders(res.headers, "application/json"),
    });
  }
  const text = await res.text();
  const parsed = tryJson(text);
  const body = res.ok && obj(parsed)
    ? anthropicResponseToOpenAI(obj(parsed)!)
    : anthropicErrorToOpenAI(parsed ?? { message: text.slice(0, 500) }, res.status);
  return new Response(JSON.stringify(body), {
    status: res.status,
    headers: clientHeaders(res.headers, "application/json"),
  });
}

async function readRequest(
  c: Context<AppEnv>,
  deps: Deps,
  client: ClientContext,
): Promise<ChatInbound | Response> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = await readBodyLimited(c.req.raw, deps.live.config.bodyLimitBytes, deps.bodies);
  } catch (err) {
    if (err instanceof BodyTooLarge) return openAIError(413, `Detour: ${err.message}`);
    if (err instanceof BodiesBusy) {
      return openAIError(503, `Detour: ${err.message}`, { "retry-after": "1" });
    }
    return openAIError(400, "Detour: could not read the request body");
  }
  const parsed = obj(tryJson(new TextDecoder().decode(raw)));
  if (!parsed) return openAIError(400, "Detour: the request body must be a JSON object");
  if (typeof parsed.model !== "string" || parsed.model.trim() === "") {
    return openAIError(400, "Detour: model: a non-empty string is required");
  }
  let json: Json;
  try {
    json = openAIRequestToAnthropic(parsed);
  } catch (err) {
    if (err instanceof UntranslatableRequest) return openAIError(400, `Detour: ${err.message}`);
    throw err;
  }
  // Only headers that mean something upstream; OpenAI SDK headers stay here.
  const headers = new Headers();
  for (const name of ["authorization", "x-api-key", "x-detour-key", "x-claude-code-session-id"]) {
    const value = c.req.raw.headers.get(name);
    if (value) headers.set(name, value);
  }
  return {
    id: c.get("requestId"),
    endpoint: "messages",
    search: "",
    headers,
    raw: new TextEncoder().encode(JSON.stringify(json)),
    json,
    model: parsed.model,
    stream: parsed.stream === true,
    client,
    signal: c.req.raw.signal,
    openai: parsed,
  };
}

/** Mounts the OpenAI-compatible entry. */
export function chatRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/v1/chat/completions", async (c) => {
    const started = performance.now();
    // Who may spend what is decided from the headers; only then is the body read.
    const { client, closed } = await callerOf(c, deps);
    if (closed) return noProvider(closed, "", client);
    const req = await readRequest(c, deps, client);
    if (req instanceof Response) return req;
    const served = await serveThroughChain(deps, req, "chat_completions", started);
    if (!(served instanceof Response)) {
      return noProvider(served.unplanned.skipped, req.model, req.client);
    }
    const includeUsage = obj(req.openai?.stream_options)?.include_usage === true;
    return await toOpenAI(served, includeUsage, req.model);
  });
  return app;
}
