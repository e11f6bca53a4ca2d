/**
 * KV in trouble (disk full, database locked, a call that never answers, a write whose answer is
 * lost): admin writes answer a clear JSON 503 naming the cause within seconds; batched usage,
 * outcomes and circuit counts are retried, land once, and are dropped (and counted) only past
 * the queue's bound; the request log stays within maxEntries on every write, across instances.
 */
import assert from "node:assert/strict";
import { anthropicMessage, mockUpstream, startDetour, waitFor } from "./helpers/harness.ts";
import { spyKv } from "./helpers/kv_spy.ts";
import { UsageRecorder } from "../lib/usage/recorder.ts";
import { QuotaBoard } from "../lib/usage/quota_board.ts";
import { OutcomeBuffer } from "../lib/store/outcome_buffer.ts";
import { groupsOf, RetryQueue } from "../lib/store/kv_batch.ts";
import { CircuitBoard } from "../lib/fallback/circuit_board.ts";
import { listCircuits } from "../lib/store/circuit_store.ts";
import { type Config, ConfigSchema } from "../lib/config/schema.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import { KV } from "../lib/store/keys.ts";
import type { RequestLogEntry, UsageDelta } from "../lib/store/usage_store.ts";
import { listRequestLog, type LogPage } from "../lib/store/request_log_pages.ts";

const config = (over: Record<string, unknown> = {}): Config =>
  ConfigSchema.parse({
    providers: [{ id: "zai", type: "anthropic", baseUrl: "http://127.0.0.1:9", keys: ["k-1"] }],
    ...over,
  });

const HOUR = 3_600_000;
const NOW = Date.now();
const usageOf = (n: number): UsageDelta => ({
  at: NOW,
  provider: "zai",
  keyLabel: null,
  model: "m",
  counts: { requests: 1, input: n, output: 0, cache_read: 0, cache_write: 0 },
});

const entry = (i: number): RequestLogEntry => ({
  id: `${String(1_700_000_000_000 + i).padStart(13, "0")}-0000-${crypto.randomUUID().slice(0, 8)}`,
  requestId: `r${i}`,
  time: new Date().toISOString(),
  endpoint: "/v1/messages",
  accessKey: null,
  model: `m-${i}`,
  modelServed: null,
  servedBy: "zai",
  key: null,
  stream: false,
  status: 200,
  end: "complete",
  attempts: [],
  tokens: null,
  ttfbMs: 1,
  ms: 1,
});

async function inputSum(kv: Deno.Kv): Promise<number> {
  const hour = Math.floor(NOW / HOUR) * HOUR;
  const e = await kv.get<Deno.KvU64>(KV.usage("h", hour, "p", "zai", "input"));
  return e.value ? Number(e.value.value) : 0;
}

/** Entries the log shows (what lies past `max` is hidden until its page is dropped). */
async function logSize(kv: Deno.Kv, max: number): Promise<number> {
  return (await listRequestLog(kv, { limit: 1000 }, max)).length;
}

/** Entries stored in pages, shown or not. */
async function storedEntries(kv: Deno.Kv): Promise<number> {
  const pages = await Array.fromAsync(kv.list<LogPage>({ prefix: KV.requestLogPagePrefix() }));
  return pages.reduce((n, p) => n + p.value.entries.length, 0);
}

async function recorderOn(kv: Deno.Kv, c: Config, opts = {}) {
  const chain = await compileChain(c);
  return new UsageRecorder(kv, () => c, new QuotaBoard(kv, () => chain), opts);
}

Deno.test("kv trouble: admin writes answer a JSON 503 naming the cause, within seconds, for a full, locked or hung database", async () => {
  const upstream = mockUpstream(() => Response.json({}));
  const spy = spyKv(await Deno.openKv(":memory:"));
  const detour = await startDetour(
    {
      providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
    },
    {},
    spy.kv,
  );
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${detour.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${detour.adminToken}`, "content-type": "application/json" },
    });
  try {
    const current = await (await api("/admin/api/config")).json();
    const cases = [
      { fault: "full", cause: /disk is full/ },
      { fault: "locked", cause: /locked/ },
      { fault: "hang", cause: /did not answer/ },
    ] as const;
    for (const { fault, cause } of cases) {
      spy.fault = fault;
      const put = await api("/admin/api/config", {
        method: "PUT",
        body: JSON.stringify({ ...current, cooldownSeconds: 42 }),
      });
      assert.equal(put.status, 503, fault);
      assert.equal(put.headers.get("retry-after"), "5");
      const body = await put.json();
      assert.equal(body.type, "error");
      assert.equal(body.error.type, "kv_unavailable");
      assert.match(body.error.message, cause);
      assert.doesNotMatch(body.error.message, /\bat .*\.ts:\d+/); // no stack trace
      const key = await api("/admin/api/access-keys", {
        method: "POST",
        body: JSON.stringify({ label: "laptop" }),
      });
      assert.equal(key.status, 503, fault);
      assert.match((await key.json()).error.message, cause);
    }
    // The request log's first read packs an earlier version's log (a write): KV refusing it is a
    // 503 naming the cause, and the read works once KV answers again.
    spy.fault = "locked";
    const log = await api("/admin/api/requests");
    assert.equal(log.status, 503);
    assert.match((await log.json()).error.message, /locked/);
    spy.fault = null;
    const again = await api("/admin/api/requests");
    assert.equal(again.status, 200);
    assert.deepEqual((await again.json()).requests, []);
    const ok = await api("/admin/api/config", {
      method: "PUT",
      body: JSON.stringify({ ...current, cooldownSeconds: 42 }),
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(detour.deps.live.config.cooldownSeconds, 42);
  } finally {
    spy.fault = null;
    await detour.close();
    await upstream.close();
  }
});

Deno.test("kv trouble: a usage batch KV refuses is retried by the next flush and counted once, even when its answer was lost", async () => {
  const spy = spyKv(await Deno.openKv(":memory:"));
  const errors: unknown[] = [];
  const recorder = await recorderOn(spy.kv, config(), { onError: (e: unknown) => errors.push(e) });
  try {
    spy.fault = "full";
    recorder.add({ usage: usageOf(7), quotaTargets: [], entry: entry(1) });
    await recorder.flush();
    assert.equal(errors.length, 1);
    assert.ok(recorder.queued.groups > 0);
    assert.equal(await inputSum(spy.kv), 0);
    // The write lands but its answer is lost: the retry must not count it twice.
    spy.fault = "lost_ack";
    recorder.add({ usage: usageOf(5), quotaTargets: [], entry: entry(2) });
    await recorder.flush();
    spy.fault = null;
    await recorder.flush();
    assert.equal(recorder.queued.groups, 0);
    assert.equal(await inputSum(spy.kv), 12);
    assert.equal(await logSize(spy.kv, 5000), 2);
  } finally {
    spy.kv.close();
  }
});

Deno.test("kv trouble: past its bound the retry queue drops the oldest writes and counts them", async () => {
  const spy = spyKv(await Deno.openKv(":memory:"));
  const drops: number[] = [];
  const recorder = await recorderOn(spy.kv, config({ requestLog: { maxEntries: 0 } }), {
    maxQueued: 50,
    onDrop: (_g: number, m: number) => drops.push(m),
  });
  try {
    spy.fault = "locked";
    for (let i = 0; i < 20; i++) {
      recorder.add({ usage: { ...usageOf(1), model: `m-${i}` }, quotaTargets: [], entry: null });
      await recorder.flush();
    }
    const state = recorder.queued;
    assert.ok(state.mutations <= 50, JSON.stringify(state));
    assert.ok(state.dropped > 0 && drops.length > 0);
    assert.equal(drops.reduce((a, b) => a + b, 0), state.dropped);
    spy.fault = null;
    await recorder.flush();
    // What was kept landed; what was dropped is not there.
    const kept = await inputSum(spy.kv);
    assert.ok(kept > 0 && kept < 20, String(kept));
  } finally {
    spy.kv.close();
  }
});

Deno.test("kv trouble: outcomes and circuit changes KV refused are written once it answers again", async () => {
  const spy = spyKv(await Deno.openKv(":memory:"));
  const c = config({ circuitBreaker: { degradedAfter: 1, openAfter: 2 } });
  const outcomes = new OutcomeBuffer(spy.kv);
  const circuits = new CircuitBoard(spy.kv, { config: () => c });
  try {
    spy.fault = "full";
    outcomes.add([{ targets: ["p:zai"], ok: false, error: "boom" }]);
    await outcomes.flush();
    assert.equal(outcomes.queued.groups, 1);
    circuits.record("zai", false);
    await circuits.flush();
    assert.equal((await listCircuits(spy.kv)).size, 0);
    spy.fault = null;
    await outcomes.flush();
    await circuits.flush();
    assert.equal(outcomes.queued.groups, 0);
    assert.equal((await spy.kv.get(KV.lastError("p:zai"))).versionstamp !== null, true);
    assert.equal((await listCircuits(spy.kv)).get("zai")?.state, "degraded");
  } finally {
    spy.kv.close();
  }
});

Deno.test("request log: held to maxEntries on every write, at any rate and from two instances", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = config({ requestLog: { maxEntries: 5 } });
  const a = await recorderOn(kv, c);
  const b = await recorderOn(kv, c);
  try {
    let i = 0;
    for (let round = 0; round < 6; round++) {
      for (let j = 0; j < 7; j++) {
        a.add({ usage: null, quotaTargets: [], entry: entry(i++) });
        b.add({ usage: null, quotaTargets: [], entry: entry(i++) });
      }
      await Promise.all([a.flush(), b.flush()]);
      assert.ok((await logSize(kv, 5)) <= 5, `round ${round}: ${await logSize(kv, 5)} entries`);
      // Storage holds at most the cap and the one page that straddles it (a flush's 7).
      assert.ok((await storedEntries(kv)) <= 5 + 7, `round ${round}: ${await storedEntries(kv)}`);
    }
    assert.equal(await logSize(kv, 5), 5);
    // The 5 written last are the ones shown (the last round's; which instance wrote last is a
    // race), newest first.
    const shown = (await listRequestLog(kv, { limit: 10 }, 5)).map((e) =>
      Number(e.requestId.slice(1))
    );
    assert.ok(shown.every((i) => i >= 70), String(shown));
    assert.deepEqual(shown, [...shown].sort((x, y) => y - x));
  } finally {
    kv.close();
  }
});

Deno.test("request log: an earlier version's log (a key per entry) is packed into pages once, the newest kept with their bodies", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (let i = 0; i < 30; i++) {
      const e = i % 10 === 0 ? { ...entry(i), hasBodies: true } : entry(i);
      await kv.set(KV.requestLog(e.id), e);
      await kv.set(["reqlog", "by_seq", i + 1], e.id);
      if (e.hasBodies) {
        await kv.set(KV.requestBodies(e.id), { request: `body ${i}`, response: null });
      }
    }
    await kv.set(KV.requestLogSeq(), new Deno.KvU64(30n));
    const c = config({ requestLog: { maxEntries: 10 } });
    // Two instances start on the old log at once.
    const [a, b] = [await recorderOn(kv, c), await recorderOn(kv, c)];
    a.add({ usage: null, quotaTargets: [], entry: entry(100) });
    b.add({ usage: null, quotaTargets: [], entry: entry(101) });
    await Promise.all([a.flush(), b.flush()]);
    assert.equal(await logSize(kv, 10), 10);
    const shown = (await listRequestLog(kv, { limit: 20 }, 10)).map((e) => e.requestId);
    assert.deepEqual(shown, [
      "r101",
      "r100",
      ...[29, 28, 27, 26, 25, 24, 23, 22].map((i) => `r${i}`),
    ]);
    // Nothing of the old layout is left; the dropped entries' bodies went with them.
    for (const prefix of [KV.requestLogPrefix(), ["reqlog", "by_seq"]]) {
      assert.equal((await Array.fromAsync(kv.list({ prefix }))).length, 0);
    }
    const bodies = await Array.fromAsync(kv.list({ prefix: ["reqlog", "bodies"] }));
    assert.deepEqual(bodies.map((e) => e.value), [{ request: "body 20", response: null }]);
  } finally {
    kv.close();
  }
});

Deno.test("kv trouble: a group KV refuses for good (a value too large) is dropped and counted, and does not block the queue", async () => {
  const kv = await Deno.openKv(":memory:");
  const drops: number[] = [];
  const queue = new RetryQueue(kv, { onDrop: (_g, m) => drops.push(m) });
  try {
    queue.add(groupsOf([(op) => op.set(["big"], "x".repeat(70_000))]));
    queue.add(groupsOf([(op) => op.set(["small"], 1)]));
    await queue.write();
    assert.deepEqual(queue.state, { groups: 0, mutations: 0, dropped: 1 });
    assert.deepEqual(drops, [1]);
    assert.equal((await kv.get(["small"])).value, 1);
  } finally {
    kv.close();
  }
});

Deno.test("kv trouble: usage a failed batch held is written by the shutdown flush (boot's close)", async () => {
  const upstream = mockUpstream((_req, body) =>
    Response.json({
      ...anthropicMessage("ok", JSON.parse(body).model),
      usage: { input_tokens: 7, output_tokens: 3 },
    })
  );
  const kv = await Deno.openKv(":memory:");
  const spy = spyKv(kv);
  // Detour's close must leave the store open, to read what it wrote.
  const store = new Proxy(spy.kv, {
    get: (t, p) => p === "close" ? () => {} : Reflect.get(t, p),
  });
  const detour = await startDetour(
    {
      providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
    },
    {},
    store,
  );
  try {
    spy.fault = "locked";
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-api-key": "sk-ant-api03-kv-trouble-0123456789",
      },
      body: JSON.stringify({
        model: "m",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await waitFor(
      () => detour.logs.some((l) => l.includes('"msg":"request"')),
      3000,
      "the request",
    );
    await detour.deps.usage.flush();
    assert.ok(detour.deps.usage.queued.groups > 0, "the batch KV refused is held");
    // /metrics shows what waits for KV (and that nothing was dropped).
    const metrics = await fetch(`${detour.url}/metrics`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    }).then((r) => r.text());
    const waiting = metrics.match(/^detour_kv_queued_mutations\{writer="usage"\} (\d+)$/m);
    assert.ok(waiting && Number(waiting[1]) > 0, "queued usage mutations on /metrics");
    assert.match(metrics, /^detour_kv_dropped_mutations_total\{writer="usage"\} 0$/m);
    spy.fault = null;
    await detour.close();
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const input = await kv.get<Deno.KvU64>(KV.usage("h", hour, "p", "anthropic", "input"));
    assert.equal(Number(input.value?.value ?? 0), 7);
  } finally {
    spy.fault = null;
    await upstream.close();
    kv.close();
  }
});
