/**
 * How the request log is stored: the entries of one written chunk go in one KV value, a page,
 * instead of a key each. With a key per entry (and a sequence index to find the oldest), every
 * request cost five KV mutations once the log was full (two sets, three deletes), which Deno
 * Deploy meters; a page holds up to 100 entries, so that is now a share of one set and one
 * delete (`bench/kv_economy.ts`: 2,051 → 76 mutations per 1,000 requests back to back). The CPU
 * per request did not move measurably with it (docs/performance.md).
 *
 * - `["reqlog", "page", lastSeq]`: `{ entries }`, oldest first; entry i has the sequence number
 *   `lastSeq - entries.length + 1 + i` (lib/store/request_log_ring.ts hands out the numbers).
 * - The log shows an entry while its number is within the newest `maxEntries`; a page that
 *   straddles that line is dropped whole once its last entry falls out.
 * - Captured bodies stay a key per entry (`requestBodies`), since each may be 64 KiB.
 *
 * A log written by an earlier version (a key per entry) is packed into pages once, by the first
 * writer or reader that finds no format marker (`ensurePaged`).
 */
import { KV } from "./keys.ts";
import { type CapturedBodies, REQUEST_LOG_TTL_MS, type RequestLogEntry } from "./usage_store.ts";
import { withKvTimeout } from "./kv_timeout.ts";

/** What a page holds. */
export interface LogPage {
  entries: RequestLogEntry[];
}

/** The format marker's value once the log is stored in pages. */
const PAGES_FORMAT = 2;
/** A page stays well under Deno KV's 64 KiB value limit (entry sizes estimated as JSON). */
export const PAGE_BYTES = 48_000;
/** Entries per page at most. */
const PAGE_ENTRIES = 100;
/**
 * Entries per page when any carries captured bodies: each is up to 64 KiB, written in the same
 * atomic op as the page, which must stay within 800 KiB with the batch's sums.
 */
const PAGE_ENTRIES_WITH_BODIES = 5;
/** Pages are in write order, which across instances is off by up to a flush or two. */
const ORDER_SLACK_MS = 60_000;
/** How long one instance may take to convert an earlier version's log before another may. */
const CONVERT_LEASE_MS = 60_000;
/** Pages read per KV call by the admin API. */
const PAGES_PER_READ = 20;
/** Reads by the admin API wait this long for KV at most. */
const READ_TIMEOUT_MS = 5_000;

/** Logs already known to be stored in pages (one marker read per process and database). */
const paged = new WeakSet<Deno.Kv>();

/** The time an entry id starts with (ms since 1970; see `logId`). */
function timeOfId(id: string): number {
  return Number(id.slice(0, 13));
}

/** The sequence number of the first entry of a page stored under `lastSeq`. */
function firstSeqOf(lastSeq: number, page: LogPage): number {
  return lastSeq - page.entries.length + 1;
}

/** Splits `items` into runs that each fit one page (and one atomic op with their bodies). */
export function pageRuns<T extends { entry: RequestLogEntry; bodies?: CapturedBodies }>(
  items: readonly T[],
): T[][] {
  const out: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  let bodies = false;
  for (const item of items) {
    const size = JSON.stringify(item.entry).length;
    const limit = bodies || item.bodies ? PAGE_ENTRIES_WITH_BODIES : PAGE_ENTRIES;
    const full = run.length >= limit ||
      bytes + size > PAGE_BYTES;
    if (run.length > 0 && full) {
      out.push(run);
      run = [];
      bytes = 0;
      bodies = false;
    }
    run.push(item);
    bytes += size;
    bodies ||= item.bodies !== undefined;
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** The page mutation for `entries` ending at sequence number `lastSeq`. */
export function setPage(op: Deno.AtomicOperation, lastSeq: number, entries: RequestLogEntry[]) {
  const page: LogPage = { entries };
  op.set(KV.requestLogPage(lastSeq), page, { expireIn: REQUEST_LOG_TTL_MS });
}

/** Thrown to a writer while another instance converts an earlier version's log. */
export class LogConverting extends Error {
  constructor() {
    super("another instance is converting the request log to pages; will retry");
    this.name = "LogConverting";
  }
}

/** Conversions running in this process, so concurrent callers share one. */
const converting = new Map<Deno.Kv, Promise<boolean>>();
/**
 * This process's token in the lease, so a conversion that failed half-way (or whose lease
 * write landed but answered with an error) is taken up again by the same process at once.
 */
const LEASE_TOKEN = crypto.randomUUID();

/** The format marker: the format, or the lease of the instance converting the log. */
type Marker = number | { converting: string };

/**
 * Makes sure the log is stored in pages. An earlier version's entries (a key each) are packed
 * the first time, the newest `max` kept (all when the log is off), and their keys deleted. One
 * instance converts, under a lease on the format marker; true once the log is in pages, false
 * while another instance is still converting it (a writer then retries later; a reader shows
 * the pages there are).
 */
export function ensurePaged(kv: Deno.Kv, max: number, timeoutMs: number): Promise<boolean> {
  if (paged.has(kv)) return Promise.resolve(true);
  let running = converting.get(kv);
  if (!running) {
    running = convert(kv, max, timeoutMs).finally(() => converting.delete(kv));
    converting.set(kv, running);
  }
  return running;
}

async function convert(kv: Deno.Kv, max: number, timeoutMs: number): Promise<boolean> {
  const kvCall = <T>(p: Promise<T>, ms = timeoutMs) => withKvTimeout(p, ms, "the request log");
  const marker = await kvCall(kv.get<Marker>(KV.requestLogFormat()));
  if (marker.value === PAGES_FORMAT) {
    paged.add(kv);
    return true;
  }
  const mine = typeof marker.value === "object" && marker.value?.converting === LEASE_TOKEN;
  if (marker.value !== null && !mine) return false; // another instance holds the lease
  if (!mine) {
    const lease: Marker = { converting: LEASE_TOKEN };
    const claimed = await kvCall(
      kv.atomic().check(marker)
        .set(KV.requestLogFormat(), lease, { expireIn: CONVERT_LEASE_MS }).commit(),
    );
    if (!claimed.ok) return false;
  }
  const list = <T>(prefix: Deno.KvKey) =>
    kvCall(Array.fromAsync(kv.list<T>({ prefix })), timeoutMs * 4);
  // Pages here before the marker are what a converter that died half-way wrote: redone.
  const leftovers = await list<LogPage>(KV.requestLogPagePrefix());
  const legacy = await list<RequestLogEntry>(KV.requestLogPrefix());
  const kept = max > 0 ? legacy.slice(-max) : legacy;
  const ops: ((op: Deno.AtomicOperation) => void)[] = leftovers.map((e) => (op) =>
    op.delete(e.key)
  );
  let seq = 0;
  for (const run of pageRuns(kept.map((e) => ({ entry: e.value })))) {
    seq += run.length;
    const last = seq;
    ops.push((op) => setPage(op, last, run.map((r) => r.entry)));
  }
  const dropped = legacy.slice(0, legacy.length - kept.length);
  for (const e of dropped) ops.push((op) => op.delete(KV.requestBodies(String(e.key[2]))));
  for (const e of [...legacy, ...await list<string>(KV.requestLogBySeqPrefix())]) {
    ops.push((op) => op.delete(e.key));
  }
  // Eight pages of at most 48 kB stay inside an atomic op's 800 KiB; deletes are small.
  for (let i = 0; i < ops.length; i += 8) {
    const op = kv.atomic();
    for (const m of ops.slice(i, i + 8)) m(op);
    await kvCall(op.commit());
  }
  await kvCall(
    kv.atomic().set(KV.requestLogFormat(), PAGES_FORMAT)
      .set(KV.requestLogSeq(), new Deno.KvU64(BigInt(seq))).commit(),
  );
  paged.add(kv);
  return true;
}

/** The highest sequence number that has fallen out of the newest `max` (none: -Infinity). */
async function hiddenUpTo(kv: Deno.Kv, max: number): Promise<number> {
  if (max <= 0) return -Infinity;
  const seq = await withKvTimeout(
    kv.get<Deno.KvU64>(KV.requestLogSeq()),
    READ_TIMEOUT_MS,
    "the request log",
  );
  return seq.value ? Number(seq.value.value) - max : -Infinity;
}

/**
 * The log's visible entries, newest page first and each page's newest entry first, until
 * `visit` returns true or an entry older than `since` (with the write-order slack) is reached.
 */
async function eachEntry(
  kv: Deno.Kv,
  max: number,
  since: number,
  visit: (entry: RequestLogEntry, at: number) => boolean,
): Promise<void> {
  await ensurePaged(kv, max, READ_TIMEOUT_MS);
  const hidden = await hiddenUpTo(kv, max);
  // Pages are read a batch at a time, each under the time limit, so a stuck database answers
  // the admin call with a 503 instead of hanging it.
  let cursor: string | undefined;
  do {
    const pages = kv.list<LogPage>({ prefix: KV.requestLogPagePrefix() }, {
      reverse: true,
      limit: PAGES_PER_READ,
      cursor,
    });
    const batch = await withKvTimeout(Array.fromAsync(pages), READ_TIMEOUT_MS, "the request log");
    for (const page of batch) {
      const entries = page.value.entries;
      const first = firstSeqOf(Number(page.key[2]), page.value);
      let newest = -Infinity;
      for (let i = entries.length - 1; i >= 0 && first + i > hidden; i--) {
        const at = timeOfId(entries[i].id);
        newest = Math.max(newest, at);
        if (visit(entries[i], at)) return;
      }
      if (first <= hidden + 1 || newest < since - ORDER_SLACK_MS) return;
    }
    cursor = batch.length === PAGES_PER_READ ? pages.cursor : undefined;
  } while (cursor);
}

/** Filters for listing the request log. */
export interface RequestLogQuery {
  provider?: string;
  status?: number | "ok" | "error";
  model?: string;
  since?: number;
  until?: number;
  limit: number;
}

/** Whether `r` passes the provider, model and status filters of `q`. */
function matches(r: RequestLogEntry, q: RequestLogQuery): boolean {
  if (
    q.provider && r.servedBy !== q.provider &&
    !r.attempts.some((a) => a.provider === q.provider || a.provider.startsWith(`${q.provider}#`))
  ) return false;
  if (q.model && r.model !== q.model && r.modelServed !== q.model) return false;
  if (q.status === "ok" && r.status >= 400) return false;
  if (q.status === "error" && r.status < 400) return false;
  if (typeof q.status === "number" && r.status !== q.status) return false;
  return true;
}

/** Newest first, filtered; `max` is `requestLog.maxEntries` (what lies beyond it is not shown). */
export async function listRequestLog(
  kv: Deno.Kv,
  q: RequestLogQuery,
  max: number,
): Promise<RequestLogEntry[]> {
  const out: RequestLogEntry[] = [];
  const since = q.since ?? -Infinity;
  const until = q.until ?? Infinity;
  await eachEntry(kv, max, since, (r, at) => {
    if (at < since || at > until || !matches(r, q)) return false;
    out.push(r);
    return out.length >= q.limit;
  });
  // Pages are in write order; ids are in time order.
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** One entry and its captured bodies, if any. */
export async function getRequestLog(
  kv: Deno.Kv,
  id: string,
  max: number,
): Promise<{ entry: RequestLogEntry; bodies: CapturedBodies | null } | null> {
  let found: RequestLogEntry | null = null;
  const at = timeOfId(id);
  await eachEntry(kv, max, at, (r) => {
    if (r.id === id) found = r;
    return found !== null;
  });
  if (!found) return null;
  const bodies = await withKvTimeout(
    kv.get<CapturedBodies>(KV.requestBodies(id)),
    READ_TIMEOUT_MS,
    "the request log",
  );
  return { entry: found, bodies: bodies.value ?? null };
}
