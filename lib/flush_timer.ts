/**
 * A deferred batch write: the first `schedule()` after a run arranges one call of `run`, `ms`
 * later; more calls in between change nothing. The timer never keeps a finished process alive,
 * so a batch still waiting at shutdown is the owner's to flush.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlushTimer } from "./flush_timer.ts";
 *
 * let runs = 0;
 * const timer = new FlushTimer(10, () => runs++);
 * timer.schedule(); // on every add
 * timer.schedule(); // already arranged: changes nothing
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * assert.equal(runs, 1);
 * timer.schedule();
 * timer.cancel(); // when flushing early
 * ```
 */
export class FlushTimer {
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ms: number, private readonly run: () => void) {}

  /** Arranges a run `ms` from now, unless one is already arranged. */
  schedule(): void {
    if (this.#timer !== null) return;
    const timer = setTimeout(() => {
      this.#timer = null;
      this.run();
    }, this.ms);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Forgets an arranged run (its owner is writing now). */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
