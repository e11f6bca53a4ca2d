/**
 * The shared repair step: every adapter the registry hands out is wrapped so that, per attempt,
 * the request is repaired for that attempt's provider before the adapter builds the upstream
 * request, what changed is logged with the request id, the session record learns who served
 * the turn, and an Anthropic-wire upstream that still rejects a thinking signature (400) is
 * retried once with every thinking block removed.
 */
import type { Provider } from "../config/schema.ts";
import type { LiveConfig } from "../config/live_config.ts";
import type { InboundRequest } from "../fallback/inbound.ts";
import type { Attempt } from "../fallback/plan.ts";
import type { Logger } from "../log.ts";
import type { ProviderAdapter } from "../providers/types.ts";
import { obj } from "../translate/sse.ts";
import { outputLimit } from "./limits.ts";
import { repairRequest, type RepairTarget } from "./repair.ts";
import { SessionBook } from "./session.ts";
import { objectSlot } from "../object_slot.ts";

/** What the repair step needs from the running app (installed by buildApp). */
export interface RepairEnv {
  logger?: Logger;
  live?: LiveConfig;
}

let env: RepairEnv = {};
/** The session record shared by the repair step and session affinity. */
export const sessions = new SessionBook();

/** Installs the app's logger and config; a fresh app starts with a fresh session record. */
export function installRepair(next: RepairEnv): void {
  env = next;
  sessions.clear();
}

/** Logs what a repair changed, with the request id. */
export function logRepairs(req: InboundRequest, provider: string, repairs: string[]): void {
  if (repairs.length === 0) return;
  env.logger?.info("repair", { id: req.id, provider, repairs });
}

/** The repair view of a provider. */
export function repairTarget(provider: Provider, model: string): RepairTarget {
  return {
    id: provider.id,
    family: provider.type === "openai" ? "openai" : "anthropic",
    maxOutputTokens: outputLimit(provider.maxOutputTokens, model),
    textOnly: provider.textOnly,
    toolSchema: provider.toolSchema,
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
  req: InboundRequest,
  attempt: Attempt,
  stripAllThinking = false,
): InboundRequest {
  const provider = attempt.provider.provider;
  // An OpenAI-format request served by an OpenAI provider is passed through: the adapter
  // applies the OpenAI-side fixes itself.
  if (provider.type === "openai" && (req as { openai?: unknown }).openai) return req;
  const { body, repairs } = repairRequest(req.json, {
    target: repairTarget(provider, attempt.model),
    producerOf: sessions.producers(req.headers, req.json),
    stripAllThinking,
  });
  logRepairs(req, provider.id, repairs);
  if (body === req.json) return req;
  return {
    ...req,
    json: body,
    raw: new TextEncoder().encode(JSON.stringify(body)),
    model: typeof body.model === "string" ? body.model : req.model,
  };
}

const SIGNATURE_ERROR = /signature/i;
const ERROR_PEEK = 64 * 1024;

interface Pending {
  req: InboundRequest;
  signal: AbortSignal;
  retried: boolean;
}

/** Wraps an adapter with the repair step (see the module comment). */
export function withRepair(adapter: ProviderAdapter): ProviderAdapter {
  const pending = objectSlot<Pending>("repair.pending");
  return {
    ...adapter,
    prepare(req, attempt, signal) {
      const repaired = repairedInbound(req, attempt);
      pending.set(attempt, { req: repaired, signal, retried: false });
      return adapter.prepare(repaired, attempt, signal);
    },
    async toAnthropic(upstream, req, attempt) {
      const p = pending.get(attempt);
      const provider = attempt.provider.provider;
      let res = upstream;
      let sent = p?.req ?? req;
      if (
        p && !p.retried && upstream.status === 400 && provider.type !== "openai" &&
        hasThinking(p.req.json)
      ) {
        const text = (await upstream.text().catch(() => "")).slice(0, ERROR_PEEK);
        if (SIGNATURE_ERROR.test(text)) {
          p.retried = true;
          sent = repairedInbound(req, attempt, true);
          const retry = await adapter.prepare(sent, attempt, p.signal);
          res = retry instanceof Response ? retry : await fetch(retry);
        } else {
          // The text may be cut at ERROR_PEEK, so the upstream's length no longer holds.
          const headers = new Headers(upstream.headers);
          headers.delete("content-length");
          res = new Response(text, { status: upstream.status, headers });
        }
      }
      const out = await adapter.toAnthropic(res, sent, attempt);
      if (req.endpoint === "messages") {
        if (out.status >= 200 && out.status < 300) {
          sessions.served(req.headers, req.json, provider.id);
        } else if (env.live?.config.fallbackOn.includes(out.status)) {
          sessions.markUnhealthy(provider.id);
        }
      }
      return out;
    },
  };
}
