/**
 * What the vendor mocks share: a loopback server that records every request body, the
 * scripted session (tool calls until the history holds `toolTurns` assistant turns, then a
 * final text), and SSE framing.
 */
import { type Running, serve } from "../harness.ts";

export type Json = Record<string, unknown>;

/** A vendor mock: its URL, what it received (parsed bodies) and whether it refused any. */
export interface VendorMock extends Running {
  received: Json[];
  /** Requests answered with an error status (the vendor's rule refused them). */
  refused: { status: number; body: string }[];
  /** Answers the next `n` requests with 529 (Anthropic's overload), to force a fallback. */
  failNext(n?: number): void;
}

/** How a mock answers a request that passed its rules. */
export type Answer = (body: Json, n: number) => Response | Promise<Response>;

/** A recording server: `check` refuses a request (vendor rule), else `answer`. */
export function vendorServer(
  check: (body: Json, req: Request) => Response | null,
  answer: Answer,
  overloaded: () => Response,
): VendorMock {
  const received: Json[] = [];
  const refused: { status: number; body: string }[] = [];
  let failing = 0;
  const server = serve(async (req) => {
    const body = await req.json().catch(() => ({})) as Json;
    received.push(body);
    if (failing > 0) {
      failing--;
      return overloaded();
    }
    const refusal = check(body, req);
    if (refusal) {
      refused.push({ status: refusal.status, body: await refusal.clone().text() });
      return refusal;
    }
    return answer(body, received.length);
  });
  return { ...server, received, refused, failNext: (n = 1) => void (failing += n) };
}

/** Whether the scripted session calls a tool now: until `toolTurns` assistant turns exist. */
export function callsTool(messages: unknown, toolTurns: number): boolean {
  const list = Array.isArray(messages) ? messages : [];
  return list.filter((m) => (m as Json)?.role === "assistant").length < toolTurns;
}

/** An SSE response from `data` payloads (and optional event names). */
export function sse(events: { event?: string; data: unknown }[]): Response {
  const text = events.map((e) =>
    `${e.event ? `event: ${e.event}\n` : ""}data: ${
      typeof e.data === "string" ? e.data : JSON.stringify(e.data)
    }\n\n`
  ).join("");
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

/** A short random suffix for ids and signatures. */
export function rand(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/** The OpenAI-style error body most OpenAI-compatible servers answer with. */
export function openaiError(status: number, message: string, type = "invalid_request_error") {
  return Response.json({ error: { message, type, param: null, code: type } }, { status });
}
