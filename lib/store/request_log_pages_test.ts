import assert from "node:assert/strict";
import { KV } from "./keys.ts";
import type { CapturedBodies, RequestLogEntry } from "./usage_store.ts";
import { writeLogChunk } from "./request_log_ring.ts";
import {
  getRequestLog,
  listRequestLog,
  LogConverting,
  type LogPage,
  PAGE_BYTES,
  pageRuns,
} from "./request_log_pages.ts";

const BASE = 1_800_000_000_000;

function entry(i: number, over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    id: `${BASE + i * 1000}-0000-${String(i).padStart(8, "0")}`,
    requestId: `r${i}`,
    time: new Date(BASE + i * 1000).toISOString(),
    endpoint: "messages",
    accessKey: null,
    model: i % 2 ? "odd-model" : "even-model",
    modelServed: null,
    servedBy: i % 3 ? "zai" : "anthropic",
    key: null,
    stream: false,
    status: i % 5 ? 200 : 529,
    end: "complete",
    attempts: [{ provider: i % 3 ? "zai" : "anthropic", status: 200, outcome: "ok", ms: 10 }],
    tokens: null,
    ttfbMs: 5,
    ms: 9,
    ...over,
  };
}

/** Writes entries `from`..`to - 1` as one chunk, as one recorder flush does. */
async function write(kv: Deno.Kv, from: number, to: number, max: number, bodies = false) {
  const items = [];
  for (let i = from; i < to; i++) {
    const body: CapturedBodies = { request: `request ${i}`, response: null };
    items.push(
      bodies ? { entry: entry(i, { hasBodies: true }), bodies: body } : { entry: entry(i) },
    );
  }
  await writeLogChunk(kv, items, max, 1000);
}

const ids = (entries: RequestLogEntry[]) => entries.map((e) => e.requestId);

Deno.test("pageRuns: a page takes 100 entries, 5 with bodies, and stays under the value limit", () => {
  const plain = Array.from({ length: 250 }, (_, i) => ({ entry: entry(i) }));
  assert.deepEqual(pageRuns(plain).map((r) => r.length), [100, 100, 50]);
  const withBodies = plain.slice(0, 12).map((x, i) =>
    i === 3 ? { ...x, bodies: { request: "", response: null } } : x
  );
  assert.deepEqual(pageRuns(withBodies).map((r) => r.length), [5, 7]);
  const long = Array.from({ length: 100 }, (_, i) => ({
    entry: entry(i, {
      attempts: Array.from({ length: 10 }, () => ({
        provider: "p".repeat(60),
        status: 529,
        outcome: "overloaded",
        ms: 1,
        error: "e".repeat(200),
      })),
    }),
  }));
  const runs = pageRuns(long);
  assert.ok(runs.length > 1);
  for (const run of runs) {
    const bytes = run.reduce((n, x) => n + JSON.stringify(x.entry).length, 0);
    assert.ok(bytes <= PAGE_BYTES, String(bytes));
  }
});

Deno.test("request log pages: long entries are written in pages KV accepts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const error = "e".repeat(300);
    const items = Array.from({ length: 100 }, (_, i) => ({
      entry: entry(i, {
        attempts: Array.from(
          { length: 10 },
          () => ({ provider: "zai", status: 529, outcome: "overloaded", ms: 1, error }),
        ),
      }),
    }));
    for (const run of pageRuns(items)) await writeLogChunk(kv, run, 5000, 1000);
    assert.equal((await listRequestLog(kv, { limit: 1000 }, 5000)).length, 100);
  } finally {
    kv.close();
  }
});

Deno.test("request log pages: past the cap a straddling page's older entries are hidden, then dropped with their bodies", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await write(kv, 0, 4, 6, true); // seq 1-4, with bodies
    await write(kv, 4, 8, 6); // seq 5-8: entries 0 and 1 fall out
    assert.deepEqual(ids(await listRequestLog(kv, { limit: 100 }, 6)), [
      "r7",
      "r6",
      "r5",
      "r4",
      "r3",
      "r2",
    ]);
    assert.equal(await getRequestLog(kv, entry(1).id, 6), null);
    const found = await getRequestLog(kv, entry(2).id, 6);
    assert.deepEqual(found?.bodies, { request: "request 2", response: null });
    await write(kv, 8, 12, 6); // seq 9-12: the first page (seq 1-4) is out whole
    const pages = await Array.fromAsync(kv.list<LogPage>({ prefix: KV.requestLogPagePrefix() }));
    assert.deepEqual(pages.map((p) => p.key[2]), [8, 12]);
    assert.equal((await Array.fromAsync(kv.list({ prefix: ["reqlog", "bodies"] }))).length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("request log pages: filters, time range and limit", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await write(kv, 0, 10, 100);
    await write(kv, 10, 20, 100);
    const list = (q: Record<string, unknown>) =>
      listRequestLog(kv, { limit: 100, ...q }, 100).then(ids);
    assert.deepEqual(await list({ limit: 3 }), ["r19", "r18", "r17"]);
    assert.deepEqual(await list({ status: "error" }), ["r15", "r10", "r5", "r0"]);
    assert.deepEqual(await list({ status: 529, model: "odd-model" }), ["r15", "r5"]);
    assert.deepEqual(await list({ provider: "anthropic", since: BASE + 9000 }), [
      "r18",
      "r15",
      "r12",
      "r9",
    ]);
    assert.deepEqual(await list({ since: BASE + 4000, until: BASE + 6000 }), ["r6", "r5", "r4"]);
    assert.equal(await getRequestLog(kv, "1800000000000-0000-nothere1", 100), null);
  } finally {
    kv.close();
  }
});

Deno.test("request log pages: while another instance converts an old log a writer waits its turn; a converter that died half-way is redone", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (let i = 0; i < 3; i++) await kv.set(KV.requestLog(entry(i).id), entry(i));
    // Another instance holds the lease.
    await kv.set(KV.requestLogFormat(), { converting: "someone-else" });
    await assert.rejects(write(kv, 10, 11, 100), LogConverting);
    // Its lease ran out half-way, leaving a page behind.
    await kv.delete(KV.requestLogFormat());
    await kv.set(KV.requestLogPage(2), { entries: [entry(0), entry(1)] });
    await write(kv, 10, 11, 100);
    assert.deepEqual(ids(await listRequestLog(kv, { limit: 100 }, 100)), ["r10", "r2", "r1", "r0"]);
    assert.equal((await kv.get(KV.requestLogFormat())).value, 2);
  } finally {
    kv.close();
  }
});
