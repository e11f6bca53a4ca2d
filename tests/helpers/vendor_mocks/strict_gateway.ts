/**
 * A strict Anthropic-compatible gateway: it validates the Messages request against the core
 * fields of https://docs.anthropic.com/en/api/messages with a pydantic model that forbids extra
 * inputs (https://docs.pydantic.dev/latest/errors/validation_errors/#extra_forbidden, the wording
 * such gateways answer: "context_management: Extra inputs are not permitted"), and refuses
 * `anthropic-beta` values it does not know with the Anthropic API's own wording. Errors use the
 * Anthropic envelope (https://docs.anthropic.com/en/api/errors): 400 `invalid_request_error`.
 *
 * Nothing here comes from lib/: the mock states the vendor's rules on its own.
 */
import {
  anthropicErrorResponse,
  anthropicMessage,
  anthropicRefusal,
  anthropicSse,
  type Running,
  serve,
  sseResponse,
} from "../harness.ts";

type Json = Record<string, unknown>;

const TOP_LEVEL = new Set([
  "model",
  "messages",
  "system",
  "max_tokens",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
]);
const BLOCK_TYPES = [
  "text",
  "image",
  "document",
  "tool_use",
  "tool_result",
  "thinking",
  "redacted_thinking",
];
const TOOL_KEYS = new Set(["name", "description", "input_schema", "cache_control", "type"]);

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const extra = (path: string) => `${path}: Extra inputs are not permitted`;

function cacheControlError(path: string, block: Json): string | null {
  if (!isObj(block.cache_control)) return null;
  for (const key of Object.keys(block.cache_control)) {
    if (key !== "type") return extra(`${path}.cache_control.${key}`);
  }
  return null;
}

function blockError(path: string, block: unknown): string | null {
  if (!isObj(block)) return `${path}: Input should be a valid dictionary`;
  if (!BLOCK_TYPES.includes(String(block.type))) {
    return `${path}: Input tag '${block.type}' found using 'type' does not match any of the ` +
      `expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(", ")}`;
  }
  const cc = cacheControlError(path, block);
  if (cc) return cc;
  if (block.type === "tool_result" && Array.isArray(block.content)) {
    for (const [i, b] of block.content.entries()) {
      const e = blockError(`${path}.content.${i}`, b);
      if (e) return e;
    }
  }
  return null;
}

function messagesError(messages: unknown): string | null {
  if (!Array.isArray(messages)) return "messages: Field required";
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role !== "user" && m.role !== "assistant") {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    if (!Array.isArray(m.content)) continue;
    for (const [j, b] of m.content.entries()) {
      const e = blockError(`messages.${i}.content.${j}`, b);
      if (e) return e;
    }
  }
  return null;
}

function toolsError(tools: unknown): string | null {
  if (!Array.isArray(tools)) return null;
  for (const [i, t] of tools.entries()) {
    if (!isObj(t)) return `tools.${i}: Input should be a valid dictionary`;
    if (t.type !== undefined && t.type !== "custom") {
      return `tools.${i}.type: Input should be 'custom'`;
    }
    for (const key of Object.keys(t)) if (!TOOL_KEYS.has(key)) return extra(`tools.${i}.${key}`);
    const cc = cacheControlError(`tools.${i}`, t);
    if (cc) return cc;
  }
  return null;
}

/** The first validation error of a Messages body, in pydantic's wording, or null. */
export function strictBodyError(body: Json): string | null {
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return extra(key);
  if (isObj(body.thinking)) {
    const t = body.thinking;
    if (t.type !== "enabled" && t.type !== "disabled") {
      return "thinking.type: Input should be 'enabled' or 'disabled'";
    }
    for (const key of Object.keys(t)) {
      if (key !== "type" && key !== "budget_tokens") return extra(`thinking.${key}`);
    }
  }
  if (Array.isArray(body.system)) {
    for (const [i, b] of body.system.entries()) {
      const e = blockError(`system.${i}`, b);
      if (e) return e;
    }
  }
  return messagesError(body.messages) ?? toolsError(body.tools);
}

/** The gateway's refusal of a request (status and wording), or null when it is accepted. */
export function strictGatewayRefusal(
  headers: Headers,
  body: Json,
  knownBetas: readonly string[] = [],
): Response | null {
  const betas = (headers.get("anthropic-beta") ?? "").split(",").map((b) => b.trim())
    .filter(Boolean);
  const unknown = betas.filter((b) => !knownBetas.includes(b));
  if (unknown.length) {
    return anthropicErrorResponse(
      400,
      "invalid_request_error",
      `Unexpected value(s) \`${unknown.join("`, `")}\` for the \`anthropic-beta\` header. ` +
        "Please consult our documentation at docs.anthropic.com or try again without the header.",
    );
  }
  const error = strictBodyError(body);
  return error ? anthropicErrorResponse(400, "invalid_request_error", error) : null;
}

/** What the gateway received. */
export interface GatewayCall {
  path: string;
  headers: Headers;
  /** The body bytes as text, exactly as received. */
  text: string;
  status: number;
}

/** The strict gateway on loopback: answers accepted requests with a text message or stream. */
export function strictGateway(
  opts: { knownBetas?: string[]; enforce?: boolean } = {},
): Running & { calls: GatewayCall[] } {
  const calls: GatewayCall[] = [];
  const server = serve(async (req) => {
    const url = new URL(req.url);
    const text = await req.text();
    const call: GatewayCall = { path: url.pathname, headers: req.headers, text, status: 200 };
    calls.push(call);
    const refused = anthropicRefusal(req) ??
      (opts.enforce === false
        ? null
        : strictGatewayRefusal(req.headers, JSON.parse(text), opts.knownBetas));
    if (refused) {
      call.status = refused.status;
      return refused;
    }
    const body = JSON.parse(text);
    if (url.pathname === "/v1/messages/count_tokens") return Response.json({ input_tokens: 42 });
    return body.stream
      ? sseResponse(anthropicSse("gateway streamed", { model: body.model }))
      : Response.json(anthropicMessage("gateway answered", body.model));
  });
  return { ...server, calls };
}
