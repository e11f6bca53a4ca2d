/**
 * Committing an answer: once an attempt's answer goes to the client there is no silent
 * fallback. Three ways, each a function: a JSON answer read whole, an answer tapped on its way
 * out (translated, or of unknown length), and a stream.
 */
import { responseWithUpstreamHeaders } from "../http/headers.ts";
import { joinChunks, keptHead } from "../http/chunk_compact.ts";
import { guardStream, type StreamEnd } from "../http/sse_guard.ts";
import { guardBody } from "../http/json_guard.ts";
import type { OutcomeRecord } from "../store/health_store.ts";
import { jsonEnds, tapBody, type Usage } from "../usage/parse.ts";
import { type AttemptLedger, type AttemptRecord, withDetourHeaders } from "./ledger.ts";
import type { Attempt } from "./plan.ts";
import type { RelayObserver } from "./relay_observer.ts";

const latin1 = new TextDecoder("latin1");

/** The client response plus what to log and record once it has been sent. */
export interface EngineResult {
  response: Response;
  /** The attempt that answered (null when none did). */
  served: Attempt | null;
  /** `served`'s provider id. */
  servedBy: string | null;
  attempts: AttemptRecord[];
  /** Resolves when the body has been relayed, with the final outcomes to record. */
  done: Promise<Done>;
}

/** How a relayed answer ended, what to record, and the tokens it reported (when it did). */
export interface Done {
  end: StreamEnd;
  outcomes: OutcomeRecord[];
  usage?: Usage | null;
  /** The answer's first bytes as latin1 (only read when debug capture is on). */
  responseHead?: () => string;
}

/** The result for `body`, answered by `attempt` with the upstream's status and headers. */
function answered(
  res: Response,
  body: BodyInit | null,
  attempt: Attempt,
  ledger: AttemptLedger,
  done: Promise<Done>,
): EngineResult {
  const response = responseWithUpstreamHeaders(body, res.status, res.headers);
  withDetourHeaders(response.headers, attempt.provider.id, ledger.records);
  return {
    response,
    served: attempt,
    servedBy: attempt.provider.id,
    attempts: ledger.records,
    done,
  };
}

/** A successful answer read whole: sent from memory, its usage read off its ends afterwards. */
export function commitWhole(
  res: Response,
  whole: Uint8Array<ArrayBuffer>,
  attempt: Attempt,
  ledger: AttemptLedger,
  observer: RelayObserver,
): EngineResult {
  // A timer later, so reading its usage and recording it never run ahead of sending it. Behind
  // the front listener the answer takes more turns of the event loop to reach the client than
  // the socket write: a setImmediate ran before the client had it (measured with a 30 ms task:
  // the client waited for it), a setTimeout(0) runs 1–2 ms later, after it has arrived.
  const done = new Promise<Done>((resolve) =>
    setTimeout(() => {
      const { head, tail } = jsonEnds(whole);
      resolve({
        end: "complete",
        outcomes: ledger.outcomes,
        usage: observer.json(head, tail),
        responseHead: () => head,
      });
    }, 0)
  );
  return answered(res, whole, attempt, ledger, done);
}

/**
 * An answer relayed as it comes (a translated one, one of unknown length, or a client error):
 * a successful one is tapped to keep its ends for the observer. A body that sends nothing for
 * `idleMs` is cut (the attempt's timeout ended at the headers), so the client never waits on
 * it forever, and its `outcome` turns into a broken answer.
 */
export function commitTapped(
  res: Response,
  ok: boolean,
  attempt: Attempt,
  ledger: AttemptLedger,
  observer: RelayObserver,
  relay: { outcome: OutcomeRecord; idleMs: number },
): EngineResult {
  const guard = res.body ? guardBody(res.body, relay.idleMs) : null;
  let body: ReadableStream<Uint8Array> | null = guard?.body ?? null;
  let done: Promise<Done> = Promise.resolve({ end: "complete", outcomes: ledger.outcomes });
  if (body && ok) {
    let resolveDone!: (v: Done) => void;
    done = new Promise<Done>((r) => resolveDone = r);
    body = tapBody(body, (ends) => {
      const broken = !ends && guard!.idled();
      if (broken) {
        Object.assign(relay.outcome, { ok: false, error: "answer body stalled (idle limit)" });
        ledger.coolDown(attempt, "provider", null, 0);
      }
      resolveDone({
        end: ends ? "complete" : broken ? "broken" : "client_closed",
        outcomes: ledger.outcomes,
        usage: ends ? observer.json(ends.head, ends.tail) : null,
        responseHead: () => ends?.head ?? "",
      });
    });
  }
  return answered(res, body, attempt, ledger, done);
}

/**
 * A stream that has shown content: its peeked head replayed, the rest relayed under the guard;
 * a stream that breaks later ends with an SSE error event and cools its provider down. When
 * `shutdown` aborts (Detour's shutdown grace is over) it ends with an error event too, with no
 * cooldown: the provider did nothing wrong.
 */
export function commitStream(
  res: Response,
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
  attempt: Attempt,
  ledger: AttemptLedger,
  observer: RelayObserver,
  idleMs: number,
  shutdown?: AbortSignal,
): EngineResult {
  let resolveDone!: (v: Done) => void;
  const done = new Promise<Done>((r) => resolveDone = r);
  // The head replays as one chunk; the observer keeps only its first bytes (message_start).
  const replay = joinChunks(head);
  const kept = [keptHead(replay)];
  const stream = guardStream(
    [replay],
    reader,
    (end, detail, tail) => {
      if (end === "broken") {
        ledger.outcome(attempt, false, `stream broke: ${detail}`);
        ledger.coolDown(attempt, "provider", null, 0);
      } else {
        ledger.outcome(attempt, true);
      }
      resolveDone({
        end,
        outcomes: ledger.outcomes,
        usage: observer.sse(kept, tail),
        responseHead: () => latin1.decode(kept[0]),
      });
    },
    idleMs,
    shutdown,
  );
  return answered(res, stream, attempt, ledger, done);
}
