/**
 * Writes request-log entries so the log never holds more than `maxEntries`, at any rate and
 * across instances: every entry takes the next number of a shared sequence, and the entries
 * whose number falls out of the newest `maxEntries` are deleted in the same atomic op. Finding
 * them is one short range read of the sequence index (only the entries to drop), not a listing
 * of the whole log. The sequence key is checked, so two instances writing at once retry rather
 * than share numbers; an entry's absence is checked too, so a retried write lands once.
 */
import { KV } from "./keys.ts";
import {
  capRequestLog,
  type CapturedBodies,
  logEntryOps,
  REQUEST_LOG_TTL_MS,
  type RequestLogEntry,
} from "./usage_store.ts";
import { withKvTimeout } from "./kv_timeout.ts";

/** One entry to log. */
export type LogItem = { entry: RequestLogEntry; bodies?: CapturedBodies };

/**
 * Entries per atomic op: bodies are up to 64 KiB, and one op must stay within 800 KiB and 1000
 * mutations (100 entries and their index, 100 dropped, and up to 100 sums: about 600).
 */
const CHUNK_PLAIN = 100;
const CHUNK_BODIES = 5;
/** Old entries dropped per op at most (a lowered cap converges over a few writes). */
const DROP_PER_OP = 100;
/** Conflicting writers retry this often before the chunk goes back to the retry queue. */
const ATTEMPTS = 8;

/** Chunks of items small enough for one atomic op each. */
export function logChunks(items: LogItem[]): LogItem[][] {
  const out: LogItem[][] = [];
  let i = 0;
  while (i < items.length) {
    const size = items.slice(i, i + CHUNK_PLAIN).some((x) => x.bodies) ? CHUNK_BODIES : CHUNK_PLAIN;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}

/**
 * A log written before the sequence existed: trimmed to `max` once by listing it, and what is
 * left numbered oldest first, so the sequence covers it. True when it numbered anything.
 */
async function numberLegacyLog(kv: Deno.Kv, max: number, timeoutMs: number): Promise<boolean> {
  await withKvTimeout(capRequestLog(kv, max), timeoutMs * 4, "trimming the request log");
  const ids = (await Array.fromAsync(kv.list({ prefix: KV.requestLogPrefix() })))
    .map((e) => String(e.key[2]));
  if (ids.length === 0) return false;
  for (let i = 0; i < ids.length; i += 300) {
    const op = kv.atomic();
    ids.slice(i, i + 300).forEach((id, j) =>
      op.set(KV.requestLogBySeq(i + j + 1), id, { expireIn: REQUEST_LOG_TTL_MS })
    );
    await op.commit();
  }
  // Another instance may have numbered it first: then its sequence stands.
  await kv.atomic().check({ key: KV.requestLogSeq(), versionstamp: null })
    .set(KV.requestLogSeq(), new Deno.KvU64(BigInt(ids.length))).commit();
  return true;
}

/** Writes one chunk and drops what falls out of the newest `max` entries. */
export async function writeLogChunk(
  kv: Deno.Kv,
  items: LogItem[],
  max: number,
  timeoutMs: number,
  /** Other mutations to land in the same op (a batch's sums: one commit instead of two). */
  extra: ((op: Deno.AtomicOperation) => void)[] = [],
): Promise<void> {
  if (items.length === 0) return;
  // The newest item is always written (max >= 1): its presence says the chunk landed.
  const first = KV.requestLog(items[items.length - 1].entry.id);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const seq = await withKvTimeout(
      kv.get<Deno.KvU64>(KV.requestLogSeq()),
      timeoutMs,
      "a request-log write",
    );
    if (seq.versionstamp === null && await numberLegacyLog(kv, max, timeoutMs)) continue;
    const from = seq.value ? Number(seq.value.value) : 0;
    const to = from + items.length;
    const cutoff = to - max; // numbers up to this fall out
    const old = cutoff > 0
      ? await withKvTimeout(
        Array.fromAsync(kv.list<string>({
          start: KV.requestLogBySeq(0),
          end: KV.requestLogBySeq(cutoff + 1),
        }, { limit: DROP_PER_OP })),
        timeoutMs,
        "a request-log write",
      )
      : [];
    const op = kv.atomic().check(seq).check({ key: first, versionstamp: null })
      .set(KV.requestLogSeq(), new Deno.KvU64(BigInt(to)));
    items.forEach((item, i) => {
      const n = from + i + 1;
      if (n <= cutoff) return; // a chunk larger than the cap: its oldest would go at once
      for (const m of logEntryOps(item)) m(op);
      op.set(KV.requestLogBySeq(n), item.entry.id, { expireIn: REQUEST_LOG_TTL_MS });
    });
    for (const m of extra) m(op);
    for (const e of old) {
      op.delete(e.key).delete(KV.requestLog(e.value)).delete(KV.requestBodies(e.value));
    }
    const result = await withKvTimeout(op.commit(), timeoutMs, "a request-log write");
    if (result.ok) return;
    // Either another writer took the numbers (try again) or this chunk already landed.
    const landed = await withKvTimeout(kv.get(first), timeoutMs, "a request-log write");
    if (landed.versionstamp !== null) return;
  }
  throw new Error("the request log's sequence stayed contended; will retry");
}
