/**
 * OpenTelemetry: with `OTEL_DENO=true` Deno traces every request and upstream fetch itself; this
 * adds what only Detour knows: one child span per attempt (provider, key label, status, outcome,
 * ms) and a summary on the request span. Without OTel there is no active span and this returns
 * at once: a no-op on the hot path.
 */
import { type Attributes, context, type Span, trace, type Tracer } from "@opentelemetry/api";
import type { AttemptRecord } from "./fallback/engine.ts";

const defaultTracer = trace.getTracer("detour");

/** The attributes of one attempt (also what the tests check). Never a credential: a label. */
export function attemptAttributes(r: AttemptRecord, index: number): Attributes {
  const attrs: Attributes = {
    "detour.attempt.index": index,
    "detour.provider": r.provider,
    "detour.key": r.label,
    "detour.outcome": r.outcome,
    "detour.ms": Math.round(r.ms),
  };
  if (r.status !== null) attrs["detour.status"] = r.status;
  if (r.error) attrs["detour.error"] = r.error;
  return attrs;
}

/**
 * Records `records` under the active request span. Call it right after the engine returns (the
 * request span is still open then). Attempts ran one after another and the last one just
 * ended, so their start times are reconstructed backwards from `endMs`.
 */
export function recordAttempts(
  records: AttemptRecord[],
  servedBy: string | null,
  opts: { span?: Span; tracer?: Tracer; endMs?: number } = {},
): void {
  const span = opts.span ?? trace.getActiveSpan();
  if (!span || !span.isRecording()) return;
  span.setAttributes({
    "detour.served_by": servedBy ?? "none",
    "detour.attempts": records.length,
    "detour.fallbacks": Math.max(0, records.length - (servedBy ? 1 : 0)),
  });
  const tracer = opts.tracer ?? defaultTracer;
  const parent = trace.setSpan(context.active(), span);
  let end = opts.endMs ?? Date.now();
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    const start = end - r.ms;
    const child = tracer.startSpan(
      `detour.attempt ${r.label}`,
      { startTime: start, attributes: attemptAttributes(r, i) },
      parent,
    );
    if (r.outcome !== "ok" && r.outcome !== "final") {
      child.setStatus({ code: 2, message: r.error ?? r.outcome }); // SpanStatusCode.ERROR
    }
    child.end(end);
    end = start;
  }
}
