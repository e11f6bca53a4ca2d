/**
 * Writes request-log entries so the log never shows more than `maxEntries`, at any rate and
 * across instances: every chunk takes the next numbers of a shared sequence and is stored as
 * one page (lib/store/request_log_pages.ts), and the pages whose last number falls out of the
 * newest `maxEntries` are deleted in the same atomic op, found by one short range read of page
 * keys. The sequence key is checked, so two instances writing at once retry rather than share
 * numbers; a marker for the chunk is checked too, so a retried write lands once.
 */
import { KV } from "./keys.ts";
import { type CapturedBodies, REQUEST_LOG_TTL_MS, type RequestLogEntry } from "./usage_store.ts";
import { withKvTimeout } from "./kv_timeout.ts";
import { ensurePaged, LogConverting, type LogPage, setPage } from "./request_log_pages.ts";

/** One entry to log. */
export type LogItem = { entry: RequestLogEntry; bodies?: CapturedBodies };

/** Old pages dropped per op at most (a lowered cap converges over a few writes). */
const DROP_PER_OP = 20;
/** Conflicting writers retry this often before the chunk goes back to the retry queue. */
const ATTEMPTS = 8;
/** How long a chunk's marker is kept: longer than any retry waits. */
const LANDED_TTL_MS = 24 * 3_600_000;

/** Writes one chunk (one of `pageRuns`) as a page and drops the pages that fall out of the newest `max` entries. */
export async function writeLogChunk(
  kv: Deno.Kv,
  items: LogItem[],
  max: number,
  timeoutMs: number,
  /** Other mutations to land in the same op (a batch's sums: one commit instead of two). */
  extra: ((op: Deno.AtomicOperation) => void)[] = [],
): Promise<void> {
  if (items.length === 0) return;
  if (!await ensurePaged(kv, max, timeoutMs)) throw new LogConverting();
  const landed = KV.requestLogLanded(items[items.length - 1].entry.id);
  // A chunk larger than the cap: its oldest would go at once.
  const kept = items.slice(Math.max(0, items.length - max));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const seq = await withKvTimeout(
      kv.get<Deno.KvU64>(KV.requestLogSeq()),
      timeoutMs,
      "a request-log write",
    );
    const to = (seq.value ? Number(seq.value.value) : 0) + items.length;
    const cutoff = to - max; // pages whose last number is up to this fall out
    const old = cutoff > 0
      ? await withKvTimeout(
        Array.fromAsync(kv.list<LogPage>({
          start: KV.requestLogPage(0),
          end: KV.requestLogPage(cutoff + 1),
        }, { limit: DROP_PER_OP })),
        timeoutMs,
        "a request-log write",
      )
      : [];
    const op = kv.atomic().check(seq).check({ key: landed, versionstamp: null })
      .set(KV.requestLogSeq(), new Deno.KvU64(BigInt(to)))
      .set(landed, true, { expireIn: LANDED_TTL_MS });
    setPage(op, to, kept.map((i) => i.entry));
    for (const { entry, bodies } of kept) {
      if (bodies) op.set(KV.requestBodies(entry.id), bodies, { expireIn: REQUEST_LOG_TTL_MS });
    }
    for (const m of extra) m(op);
    for (const page of old) {
      op.delete(page.key);
      for (const e of page.value.entries) if (e.hasBodies) op.delete(KV.requestBodies(e.id));
    }
    const result = await withKvTimeout(op.commit(), timeoutMs, "a request-log write");
    if (result.ok) return;
    // Either another writer took the numbers (try again) or this chunk already landed.
    const done = await withKvTimeout(kv.get(landed), timeoutMs, "a request-log write");
    if (done.versionstamp !== null) return;
  }
  throw new Error("the request log's sequence stayed contended; will retry");
}
