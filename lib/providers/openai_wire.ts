/**
 * What the chat entry (routes/v1/chat.ts) shares with the OpenAI adapter, apart from the adapter
 * itself: the chat route is loaded at start, the adapter with its first use (cold start).
 */
import type { InboundRequest } from "../fallback/inbound.ts";

/** An inbound request that arrived in OpenAI format: `json` holds its Anthropic translation. */
export type ChatInbound = InboundRequest & { openai?: Record<string, unknown> };

/** Marks a response whose body is OpenAI wire, not Anthropic (chat-entry passthrough). */
export const WIRE_HEADER = "x-detour-wire";
