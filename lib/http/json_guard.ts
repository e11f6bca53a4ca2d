/**
 * The idle limit for relayed bodies that are not SSE: a JSON answer whose upstream
 * stalls after its headers would otherwise hold the client forever (the attempt's timeout ends
 * at the headers). Past the limit the relayed body errors, so the client's connection ends
 * instead of hanging, and the caller learns it was cut (`idled`).
 */
import { IdleWatch } from "./idle_watch.ts";

/** A relayed body and whether the idle limit cut it. */
export interface GuardedBody {
  body: ReadableStream<Uint8Array>;
  /** True once the body was ended for sending nothing `idleMs` long. */
  idled(): boolean;
}

/** Relays `body` unchanged; `idleMs` (0: never) without a byte errors it and cancels upstream. */
export function guardBody(body: ReadableStream<Uint8Array>, idleMs: number): GuardedBody {
  const reader = body.getReader();
  const idle = new IdleWatch(idleMs, () => reader.cancel("idle").catch(() => {}));
  const stalled = () => new Error(`upstream sent nothing for ${idleMs} ms`);
  const guarded = new ReadableStream<Uint8Array>({
    async pull(controller) {
      idle.reading();
      try {
        const { done, value } = await reader.read();
        if (idle.idled) return controller.error(stalled());
        if (!done) {
          idle.got(true);
          controller.enqueue(value);
          return;
        }
        idle.stop();
        controller.close();
      } catch (err) {
        idle.stop();
        controller.error(idle.idled ? stalled() : err);
      }
    },
    cancel(reason) {
      idle.stop();
      return reader.cancel(reason).catch(() => {});
    },
  });
  return { body: guarded, idled: () => idle.idled };
}
