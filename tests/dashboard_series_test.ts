/**
 * The dashboard's data (GET /admin/api/usage/series): the latency histogram as a unit, hourly
 * series from KV sums at set times, and the whole path through a real Detour on loopback.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { adminGet, BACKUP_KEY, settle, startFailingPrimaryChain } from "./helpers/usage.ts";
import { LATENCY_BOUNDS_MS, latencyBucket, percentile } from "../lib/usage/latency.ts";
import { usageSeries } from "../lib/usage/series.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import { ConfigSchema } from "../lib/config/schema.ts";
import { writeUsageBatch } from "../lib/store/usage_store.ts";

const HOUR = 3_600_000;

Deno.test("latency histogram: buckets and interpolated percentiles", () => {
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(100), 0);
  assert.equal(latencyBucket(101), 1);
  assert.equal(latencyBucket(9_999_999), LATENCY_BOUNDS_MS.length - 1);
  const counts = new Array(LATENCY_BOUNDS_MS.length).fill(0);
  assert.equal(percentile(counts, 0.5), null);
  // 10 samples in (100, 250], 10 in (250, 500].
  counts[1] = 10;
  counts[2] = 10;
  assert.equal(percentile(counts, 0.5), 250);
  assert.equal(percentile(counts, 0.25), 175);
  assert.equal(percentile(counts, 0.95), 475);
  // The open-ended bucket reports its lower bound, never Infinity.
  const slow = new Array(LATENCY_BOUNDS_MS.length).fill(0);
  slow[LATENCY_BOUNDS_MS.length - 1] = 3;
  assert.equal(percentile(slow, 0.95), 120_000);
});

Deno.test("usage series: hourly buckets end with the current hour; sums land in their hour", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const now = Date.UTC(2026, 10, 21, 15, 30);
    const thisHour = Date.UTC(2026, 10, 21, 15);
    const counts = (input: number) => ({
      requests: 1,
      input,
      output: 1,
      cache_read: 0,
      cache_write: 0,
    });
    await writeUsageBatch(kv, {
      usage: [
        { at: now - 5 * 60_000, provider: "a", keyLabel: null, model: "m", counts: counts(9) },
        { at: now - 2 * HOUR, provider: "gone", keyLabel: null, model: "m", counts: counts(4) },
        // Outside 24 h, inside 7 d.
        { at: now - 30 * HOUR, provider: "a", keyLabel: null, model: "m", counts: counts(99) },
      ],
      quota: [],
      traffic: [
        { at: now - 5 * 60_000, fellBack: true, error: false, served: { provider: "a", ms: 300 } },
        { at: now - 2 * HOUR, fellBack: false, error: false, served: { provider: "gone", ms: 90 } },
        { at: now - 2 * HOUR, fellBack: false, error: true, served: null },
      ],
      events: [{
        id: `${String(now - HOUR).padStart(13, "0")}-0000-00000000`,
        time: new Date(now - HOUR).toISOString(),
        kind: "circuit",
        provider: "a",
        subject: null,
        detail: "open",
      }, {
        id: `${String(now - 40 * HOUR).padStart(13, "0")}-0000-00000000`,
        time: new Date(now - 40 * HOUR).toISOString(),
        kind: "circuit",
        provider: "a",
        subject: null,
        detail: "degraded",
      }],
    });
    const chain = await compileChain(ConfigSchema.parse({
      providers: [{ id: "a", type: "anthropic", baseUrl: "http://127.0.0.1:9", passthrough: true }],
    }));
    const day = await usageSeries(kv, chain, "24h", now);
    assert.equal(day.buckets.length, 24);
    assert.equal(day.buckets.at(-1), thisHour);
    assert.equal(day.buckets[0], thisHour - 23 * HOUR);
    // The chain's provider first, then one that served in the period but left the chain.
    assert.deepEqual(day.providers.map((p) => p.id), ["a", "gone"]);
    const [a, gone] = day.providers;
    assert.equal(a.requests.at(-1), 1);
    assert.equal(a.tokens.at(-1), 10);
    assert.equal(a.total.tokens, 10);
    assert.equal(a.p50.at(-1), 250 + Math.round(250 * 0.5));
    assert.equal(a.p50.at(-2), null);
    assert.equal(gone.requests.at(-3), 1);
    assert.equal(gone.total.p95, 95);
    assert.deepEqual(day.all.total, { requests: 3, fallbacks: 1, errors: 1 });
    assert.equal(day.all.fallbackRate.at(-1), 1);
    assert.equal(day.all.fallbackRate.at(-3), 0);
    assert.equal(day.all.fallbackRate.at(-2), null);
    assert.deepEqual(day.events.map((e) => e.detail), ["open"]);

    const week = await usageSeries(kv, chain, "7d", now);
    assert.equal(week.buckets.length, 168);
    assert.equal(week.providers[0].total.tokens, 10 + 100);
    assert.equal(week.providers[0].requests.at(-31), 1);
    assert.deepEqual(week.events.map((e) => e.detail), ["degraded", "open"]);
  } finally {
    kv.close();
  }
});

Deno.test("dashboard series through Detour: per-provider counts, fallbacks, errors, latency and the timeline", async () => {
  const { detour, primaryCalls, close } = await startFailingPrimaryChain();
  const client = new Anthropic({
    apiKey: "sk-ant-api03-client-0123456789abcdef",
    baseURL: detour.url,
    maxRetries: 0,
  });
  try {
    const ask = { model: "claude-test-model", max_tokens: 5, messages: [] as never[] };
    const messages = [{ role: "user" as const, content: "hi" }];
    // 1: primary 529 -> cooling, circuit degraded; backup serves (a fallback).
    await client.messages.create({ ...ask, messages });
    // 2, 3: the primary is cooling, so the backup serves straight away; 3 streams.
    await client.messages.create({ ...ask, messages });
    await client.messages.create({ ...ask, messages, stream: true }).then(async (s) => {
      for await (const _ of s) { /* drain */ }
    });
    // 4: the backup refuses the model (400 is not a fallback status): an error.
    await assert.rejects(client.messages.create({ ...ask, model: "bad-model", messages }));
    // count_tokens is not charted.
    await client.messages.countTokens({ model: "claude-test-model", messages });
    await settle(detour, 5);
    assert.equal(primaryCalls(), 1);

    const { status, body } = await adminGet(detour, "/admin/api/usage/series?range=24h");
    assert.equal(status, 200);
    assert.equal(body.buckets.length, 24);
    const byId = Object.fromEntries(
      body.providers.map((p: { id: string }) => [p.id, p]),
    );
    assert.deepEqual(Object.keys(byId), ["primary", "backup"]);
    assert.equal(byId.backup.name, "Backup");
    assert.equal(byId.backup.total.requests, 3);
    // 10 in + 5 out each (the stream's message_delta carries the output).
    assert.equal(byId.backup.total.tokens, 45);
    assert.equal(byId.primary.total.requests, 0);
    assert.equal(byId.primary.total.p50, null);
    assert.equal(typeof byId.backup.total.p50, "number");
    assert.ok(byId.backup.total.p95 >= byId.backup.total.p50);
    assert.deepEqual(body.all.total, { requests: 4, fallbacks: 1, errors: 1 });
    assert.equal(body.all.fallbackRate.at(-1), 0.25);
    const events = body.events.map((e: { kind: string; provider: string; detail: string }) =>
      `${e.kind} ${e.provider} ${e.detail}`
    );
    assert.deepEqual(events, ["cooldown primary HTTP 529", "circuit primary degraded"]);
    assert.ok(Date.parse(body.events[0].until) > Date.now() + 200_000);

    assert.equal(
      (await adminGet(detour, "/admin/api/usage/series?range=7d")).body.buckets.length,
      168,
    );
    const bad = await adminGet(detour, "/admin/api/usage/series?range=1y");
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /24h, 7d/);
    const anon = await fetch(`${detour.url}/admin/api/usage/series`);
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
    // /metrics shows the same circuit state.
    const metrics = await fetch(`${detour.url}/metrics`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    }).then((r) => r.text());
    assert.match(metrics, /^detour_circuit_state\{provider="primary",state="degraded"\} 1$/m);
    assert.match(metrics, /^detour_circuit_state\{provider="backup",state="closed"\} 1$/m);
    assert.match(metrics, /^detour_circuit_failures\{provider="primary"\} 1$/m);
    // No secret in what the dashboard reads.
    assert.ok(!JSON.stringify(body).includes(BACKUP_KEY));
  } finally {
    await close();
  }
});
