/**
 * Graceful shutdown on SIGINT and SIGTERM (Ctrl-C, systemd, a container stop, Deno Deploy
 * replacing an instance: it sends SIGINT and kills 5 s later).
 *
 * 1. Stop accepting connections; in-flight requests and streams run on (`Serving.shutdown`).
 * 2. Once all have finished, or the grace (SHUTDOWN_GRACE_MS) is over, whichever comes first:
 *    the streams still open end with an SSE `error` event (`overloaded_error`, which Claude Code
 *    retries), never a silently cut body, and requests still waiting on upstream headers get a
 *    JSON 529 `overloaded_error` (lib/fallback/engine.ts); what remains after a short moment is
 *    closed.
 * 3. Flush every batched KV writer (usage, outcomes, circuit counts, the webhook), retrying
 *    what KV refused earlier (their retry queues), then exit 0.
 *
 * A second signal while draining exits at once (code 1).
 */
import type { Logger } from "../log.ts";
import type { Serving } from "./listen.ts";

/** After the grace, how long streams get to write their error event and end. */
const END_STREAMS_MS = 500;
/** How long the final KV flush may take: a locked or full disk must not hold the exit. */
const FLUSH_MS = 2000;

/** What a drain needs. */
export interface DrainOptions {
  serving: Serving;
  graceMs: number;
  /** Ends every relayed stream with an SSE error event (boot's `endStreams`). */
  endStreams(): void;
  /** Flushes the batched KV writers (boot's `close`). */
  flush(): Promise<void>;
  logger: Logger;
}

/** Whether `p` settled within `ms` (its outcome otherwise ignored). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drains and flushes as the module comment says; resolves when it is safe to exit. */
export async function drain(options: DrainOptions, signal: string): Promise<void> {
  const { serving, graceMs, logger } = options;
  logger.info("shutting down", { signal, graceMs });
  const finished = serving.shutdown();
  const inTime = await within(finished, graceMs);
  if (!inTime) {
    logger.warn("shutdown grace over: ending the streams still open", { graceMs });
    options.endStreams();
    await within(finished, END_STREAMS_MS);
  }
  await serving.close();
  // A macrotask, so requests that just ended reach their sinks (usage, outcomes) first.
  await new Promise((r) => setTimeout(r, 0));
  const flushed = await within(
    options.flush().catch((err) => logger.error("flushing KV failed", { error: String(err) })),
    FLUSH_MS,
  );
  if (!flushed) logger.error("flushing KV took too long; exiting anyway", { ms: FLUSH_MS });
  logger.info("shut down", { drained: inTime });
}

/** On SIGINT or SIGTERM, drains (see the module comment) and exits. */
export function drainOnSignals(
  options: DrainOptions,
  exit: (code: number) => void = Deno.exit,
): void {
  let draining = false;
  const onSignal = (signal: Deno.Signal) => {
    if (draining) {
      options.logger.warn("second signal while shutting down: exiting now", { signal });
      return exit(1);
    }
    draining = true;
    drain(options, signal).then(() => exit(0), (err) => {
      options.logger.error("shutdown failed", { error: String(err) });
      exit(1);
    });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => onSignal(signal));
    } catch {
      // Windows knows SIGINT (and SIGBREAK) only.
    }
  }
}
