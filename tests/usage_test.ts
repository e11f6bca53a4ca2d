/**
 * Usage accounting, quotas, the request log and /metrics: parsers and periods as units, the rest
 * through a real Detour on loopback with mock upstreams and the official Anthropic SDK.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicErrorResponse,
  anthropicMessage,
  anthropicSse,
  mockUpstream,
  sseResponse,
  startDetour,
} from "./helpers/harness.ts";
import { tapBody, usageFromJson, usageFromSse } from "../lib/usage/parse.ts";
import { periodOf } from "../lib/usage/period.ts";
import { redactBody } from "../lib/usage/capture.ts";
import { writeLogChunk } from "../lib/store/request_log_ring.ts";
import { adminGet as admin, settle } from "./helpers/usage.ts";

const enc = new TextEncoder();
const STORED_KEY = "sk-zai-stored-secret-0123456789abcdef";
const STORED_KEY_2 = "sk-zai-stored-secret-second-9876543210";
const CLIENT_KEY = "sk-ant-api03-client-secret-abcdefghijklmnop";

/** SSE with full usage: message_start carries input and cache counts, message_delta the output. */
function sseWithUsage(text: string, model = "glm-4.6") {
  const events = anthropicSse(text, { model });
  events[0] = events[0].replace(
    '"usage":{"input_tokens":10,"output_tokens":1}',
    '"usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":7,"output_tokens":1}',
  );
  return events;
}

/** Every KV entry but the config document (which holds the keys), as one string. */
async function kvDump(kv: Deno.Kv) {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    if (e.key[0] === "config") continue;
    out.push(
      JSON.stringify(e.key),
      JSON.stringify(e.value, (_, v) => typeof v === "bigint" ? String(v) : v),
    );
  }
  return out.join("\n");
}

Deno.test("usage: parsed from SSE head and tail, and from JSON ends", () => {
  const events = sseWithUsage("hello there");
  const head = [enc.encode(events.slice(0, 3).join(""))];
  const tail = events.slice(-3).join("").slice(-2048);
  assert.deepEqual(usageFromSse(head, tail), {
    input: 10,
    output: 5,
    cacheRead: 7,
    cacheWrite: 3,
    model: "glm-4.6",
  });
  // A message_delta that reports input too (newer API) wins over message_start.
  const tail2 = tail.replace(
    '"usage":{"output_tokens":5}',
    '"usage":{"input_tokens":12,"output_tokens":6}',
  );
  assert.equal(usageFromSse(head, tail2)?.input, 12);
  assert.equal(usageFromSse([], "garbage"), null);

  // Content that mentions "usage" does not fool the JSON reader: usage is the last field.
  const msg = anthropicMessage('he said "usage": {"input_tokens": 999}', "glm-4.6");
  const text = JSON.stringify({
    ...msg,
    usage: { input_tokens: 4, output_tokens: 2, cache_read_input_tokens: 1 },
  });
  assert.deepEqual(usageFromJson(text, text), {
    input: 4,
    output: 2,
    cacheRead: 1,
    cacheWrite: 0,
    model: "glm-4.6",
  });
  // A body larger than the tap keeps: usage from the tail, model from the head.
  const big = JSON.stringify({ ...msg, content: [{ type: "text", text: "x".repeat(50_000) }] });
  assert.deepEqual(usageFromJson(big.slice(0, 4096), big.slice(-4096)), {
    input: 10,
    output: 5,
    cacheRead: 0,
    cacheWrite: 0,
    model: "glm-4.6",
  });
});

Deno.test("usage: the JSON tap relays every byte unchanged", async () => {
  const parts = ['{"a":', '"é'.repeat(3000), '","usage":{"input_tokens":1,"output_tokens":2}}'];
  const seen: ({ head: string; tail: string } | null)[] = [];
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
  const out = await new Response(tapBody(src, (e) => seen.push(e))).text();
  assert.equal(out, parts.join(""));
  assert.equal(seen.length, 1);
  assert.equal(usageFromJson(seen[0]!.head, seen[0]!.tail)?.output, 2);
});

Deno.test("quota periods roll over at the exact instant (UTC day, week from a set day, month)", () => {
  const t = Date.UTC(2026, 0, 7, 23, 59, 59, 999); // a Wednesday
  const day = periodOf({ period: "day", weekStartsOn: "monday" }, t);
  assert.equal(day.end, Date.UTC(2026, 0, 8));
  assert.equal(periodOf({ period: "day", weekStartsOn: "monday" }, t + 1).start, day.end);
  const week = periodOf({ period: "week", weekStartsOn: "monday" }, t);
  assert.equal(new Date(week.start).toISOString(), "2026-01-05T00:00:00.000Z");
  assert.equal(new Date(week.end).toISOString(), "2026-01-12T00:00:00.000Z");
  const sunday = periodOf({ period: "week", weekStartsOn: "sunday" }, t);
  assert.equal(new Date(sunday.start).toISOString(), "2026-01-04T00:00:00.000Z");
  // The week starts on its own day: Monday 00:00 belongs to the new week.
  assert.equal(periodOf({ period: "week", weekStartsOn: "monday" }, week.end).start, week.end);
  assert.equal(
    periodOf({ period: "week", weekStartsOn: "monday" }, week.end - 1).start,
    week.start,
  );
  const month = periodOf({ period: "month", weekStartsOn: "monday" }, Date.UTC(2026, 1, 28, 12));
  assert.equal(new Date(month.end).toISOString(), "2026-03-01T00:00:00.000Z");
  assert.equal(periodOf({ period: "month", weekStartsOn: "monday" }, month.end).start, month.end);
});

Deno.test("debug capture: truncated, key-like values and known secrets redacted", () => {
  const body = JSON.stringify({
    api_key: "plain-looking-value",
    messages: [{ role: "user", content: `my key is ${STORED_KEY} and AKIAABCDEFGHIJKLMNOP` }],
    pad: "y".repeat(10_000),
  });
  const out = redactBody(body, 2000, [STORED_KEY]);
  assert.ok(!out.includes(STORED_KEY) && !out.includes("sk-zai"));
  assert.ok(!out.includes("plain-looking-value"));
  assert.ok(!out.includes("AKIAABCDEFGHIJKLMNOP"));
  assert.ok(out.length < 2100 && out.includes("[truncated"));
  // A secret cut by the truncation leaves no long prefix behind.
  const cut = redactBody(`${"a ".repeat(995)}zzzzzzzz${"q".repeat(40)} tail`, 2000, []);
  assert.ok(!/q{8,}/.test(cut));
});

Deno.test("request log pages and bodies are written with a 7-day expiry, a chunk's marker with a day's", async () => {
  const sets: { key: Deno.KvKey; expireIn?: number }[] = [];
  const fake = {
    // The log is already in pages; the sequence starts empty.
    get: (key: Deno.KvKey) =>
      Promise.resolve(
        key[1] === "format"
          ? { key, value: 2, versionstamp: "01" }
          : { key, value: null, versionstamp: null },
      ),
    atomic() {
      const op = {
        check: () => op,
        set(key: Deno.KvKey, _v: unknown, o?: { expireIn?: number }) {
          sets.push({ key, expireIn: o?.expireIn });
          return op;
        },
        commit: () => Promise.resolve({ ok: true }),
      };
      return op;
    },
  } as unknown as Deno.Kv;
  const entry = { id: "0000000000001-0000-00000000", hasBodies: true } as never;
  await writeLogChunk(fake, [{ entry, bodies: { request: "{}", response: null } }], 100, 1000);
  const expiry = Object.fromEntries(sets.map((s) => [s.key[1], s.expireIn]));
  assert.deepEqual(expiry, {
    seq: undefined,
    landed: 86_400_000,
    page: 7 * 86_400_000,
    bodies: 7 * 86_400_000,
  });
});

Deno.test("usage through Detour: JSON and SSE, concurrent requests summed per provider, key and model", async () => {
  let n = 0;
  const zai = mockUpstream((_req, body) => {
    n++;
    return JSON.parse(body).stream ? sseResponse(sseWithUsage("streamed answer")) : Response.json({
      ...anthropicMessage("json answer", "glm-4.6"),
      usage: {
        input_tokens: 20,
        output_tokens: 4,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 2,
      },
    });
  });
  const detour = await startDetour({
    providers: [{
      id: "zai",
      type: "anthropic",
      baseUrl: zai.url,
      keys: [STORED_KEY, STORED_KEY_2],
      modelMap: { "*": "glm-4.6" },
    }],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: "unused", maxRetries: 0 });
    const ask = {
      model: "claude-sonnet-4-5",
      max_tokens: 10,
      messages: [{ role: "user" as const, content: "hi" }],
    };
    const jobs = [
      ...Array.from({ length: 12 }, () => client.messages.create(ask)),
      ...Array.from({ length: 8 }, () => client.messages.stream(ask).finalMessage()),
    ];
    const answers = await Promise.all(jobs);
    assert.equal(answers.length, 20);
    assert.equal(n, 20);
    await settle(detour, 20);

    const status = await admin(detour, "/admin/api/status");
    const p = status.body.providers[0];
    // 12 JSON answers (20 in, 4 out, 100 read, 2 written) + 8 streams (10 in, 5 out, 7 read, 3 written)
    assert.deepEqual(p.usage.today, {
      requests: 20,
      input: 12 * 20 + 8 * 10,
      output: 12 * 4 + 8 * 5,
      cache_read: 12 * 100 + 8 * 7,
      cache_write: 12 * 2 + 8 * 3,
    });
    assert.deepEqual(p.usage.hour, p.usage.today);
    // Keys rotate: both labels counted, the sum matches.
    const perKey = p.keys.map((k: { usage: { today: { requests: number } } }) =>
      k.usage.today.requests
    );
    assert.equal(perKey[0] + perKey[1], 20);
    assert.ok(perKey[0] > 0 && perKey[1] > 0);
    assert.equal(status.body.models["glm-4.6"].today.requests, 20);

    // The request log has each one, newest first, with tokens and the key by label.
    const log = await admin(detour, "/admin/api/requests?limit=50");
    assert.equal(log.body.count, 20);
    const one = log.body.requests[0];
    assert.equal(one.servedBy, "zai");
    assert.match(one.key, /^zai#[12]$/);
    assert.equal(one.model, "claude-sonnet-4-5");
    assert.equal(one.modelServed, "glm-4.6");
    assert.equal(one.attempts.length, 1);
    assert.ok(one.tokens.input > 0 && one.ttfbMs >= 0 && one.ms >= one.ttfbMs);
    const streams = log.body.requests.filter((r: { stream: boolean }) => r.stream);
    assert.equal(streams.length, 8);
    assert.deepEqual(streams[0].tokens, { input: 10, output: 5, cacheRead: 7, cacheWrite: 3 });

    const dump = await kvDump(detour.deps.kv);
    assert.ok(!dump.includes(STORED_KEY) && !dump.includes(STORED_KEY_2));
  } finally {
    await detour.close();
    await zai.close();
  }
});

Deno.test("usage from a translated OpenAI stream and JSON (openai-type provider)", async () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${
      JSON.stringify({
        id: "g",
        object: "chat.completion.chunk",
        model: "gpt-x",
        choices: [{ index: 0, delta, finish_reason: finish }],
      })
    }\n\n`;
  const openai = mockUpstream((_req, body) => {
    if (JSON.parse(body).stream) {
      return sseResponse([
        chunk({ role: "assistant", content: "" }),
        chunk({ content: "Hi" }),
        chunk({}, "stop"),
        `data: ${
          JSON.stringify({
            id: "g",
            choices: [],
            usage: {
              prompt_tokens: 1200,
              completion_tokens: 85,
              prompt_tokens_details: { cached_tokens: 1000 },
            },
          })
        }\n\n`,
        "data: [DONE]\n\n",
      ]);
    }
    return Response.json({
      id: "g",
      object: "chat.completion",
      model: "gpt-x",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 50, completion_tokens: 9 },
    });
  });
  const detour = await startDetour({
    providers: [{
      id: "oai",
      type: "openai",
      baseUrl: `${openai.url}/v1`,
      keys: ["sk-oai-secret-0123456789"],
      modelMap: { "*": "gpt-x" },
    }],
  });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: "unused", maxRetries: 0 });
    const ask = {
      model: "claude-sonnet-4-5",
      max_tokens: 10,
      messages: [{ role: "user" as const, content: "hi" }],
    };
    const streamed = await client.messages.stream(ask).finalMessage();
    assert.equal(streamed.usage.output_tokens, 85);
    await client.messages.create(ask);
    await settle(detour, 2);
    const log = await admin(detour, "/admin/api/requests");
    const [json, sse] = log.body.requests;
    assert.deepEqual(sse.tokens, { input: 200, output: 85, cacheRead: 1000, cacheWrite: 0 });
    assert.deepEqual(json.tokens, { input: 50, output: 9, cacheRead: 0, cacheWrite: 0 });
    assert.equal(sse.modelServed, "gpt-x");
  } finally {
    await detour.close();
    await openai.close();
  }
});

Deno.test("quota: past the threshold the provider is skipped until the period resets (set clock)", async () => {
  const paid = mockUpstream(() =>
    Response.json({ ...anthropicMessage("paid"), usage: { input_tokens: 60, output_tokens: 0 } })
  );
  const backup = mockUpstream(() => Response.json(anthropicMessage("backup")));
  const detour = await startDetour({
    providers: [
      {
        id: "paid",
        type: "anthropic",
        baseUrl: paid.url,
        keys: [STORED_KEY],
        quota: { tokens: 100, period: "day", thresholdPercent: 90 },
      },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY_2] },
    ],
  });
  const endOfDay = Date.UTC(2026, 0, 7, 23, 59, 59, 999);
  detour.deps.quotas.clock = () => endOfDay;
  const served = async () => {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    await res.body?.cancel();
    return res.headers.get("x-detour-provider");
  };
  try {
    assert.equal(await served(), "paid"); // 60 of 100
    await settle(detour, 1);
    assert.equal(await served(), "paid"); // 120: past 90 %
    await settle(detour, 2);
    assert.equal(await served(), "backup");
    assert.equal(await served(), "backup");
    const status = await admin(detour, "/admin/api/status");
    const q = status.body.providers[0].quota;
    assert.equal(q.used, 120);
    assert.equal(q.exhausted, true);
    assert.equal(q.resetsAt, "2026-01-08T00:00:00.000Z");
    assert.equal(status.body.providers[1].quota, null);
    // One millisecond later a new day starts: the provider is back.
    detour.deps.quotas.clock = () => endOfDay + 1;
    assert.equal(await served(), "paid");
    const after = await admin(detour, "/admin/api/status");
    assert.equal(after.body.providers[0].quota.exhausted, false);
  } finally {
    await detour.close();
    await paid.close();
    await backup.close();
  }
});

Deno.test("request log: filters, size bound, one entry with debug bodies; /metrics parses; no secret", async () => {
  let n = 0;
  const primary = mockUpstream(() => {
    n++;
    return n % 2 === 0
      ? anthropicErrorResponse(429, "rate_limit_error", "slow down")
      : Response.json(anthropicMessage("from primary"));
  });
  const backup = mockUpstream(() => Response.json(anthropicMessage("from backup", "glm-4.6")));
  const detour = await startDetour({
    providers: [
      {
        id: "anthropic",
        type: "anthropic",
        baseUrl: primary.url,
        passthrough: true,
        cooldownSeconds: 0,
      },
      { id: "zai", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
    ],
    requestLog: { maxEntries: 4, debugBodiesUntil: new Date(Date.now() + 3_600_000).toISOString() },
  }, { METRICS_TOKEN: "metrics-token-0123456789" });
  detour.deps.usage.capEveryMs = 0;
  const send = async (model: string) => {
    const res = await fetch(`${detour.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": CLIENT_KEY },
      body: JSON.stringify({
        model,
        max_tokens: 5,
        messages: [{ role: "user", content: `secret ${STORED_KEY}` }],
      }),
    });
    await res.text();
  };
  try {
    const before = Date.now();
    for (const m of ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]) await send(m);
    await settle(detour, 6);
    const all = await admin(detour, "/admin/api/requests");
    // Capped at 4: the newest four remain.
    assert.deepEqual(all.body.requests.map((r: { model: string }) => r.model), [
      "m-6",
      "m-5",
      "m-4",
      "m-3",
    ]);
    const fellBack = await admin(detour, "/admin/api/requests?provider=zai");
    assert.deepEqual(fellBack.body.requests.map((r: { model: string }) => r.model), ["m-6", "m-4"]);
    assert.equal(fellBack.body.requests[0].attempts[0].status, 429);
    assert.equal(fellBack.body.requests[0].attempts[1].provider, "zai");
    assert.equal((await admin(detour, "/admin/api/requests?model=m-5")).body.count, 1);
    assert.equal((await admin(detour, "/admin/api/requests?status=200&limit=2")).body.count, 2);
    assert.equal((await admin(detour, "/admin/api/requests?status=error")).body.count, 0);
    assert.equal(
      (await admin(
        detour,
        `/admin/api/requests?since=${new Date(before - 60_000).toISOString()}&until=${before - 1}`,
      )).body.count,
      0,
    );
    assert.equal((await admin(detour, "/admin/api/requests?status=abc")).status, 400);
    assert.equal((await fetch(`${detour.url}/admin/api/requests`)).status, 401);

    const one = await admin(detour, `/admin/api/requests/${all.body.requests[0].id}`);
    assert.equal(one.status, 200);
    assert.ok(one.body.bodies.request.includes("[redacted]"));
    assert.ok(one.body.bodies.response.includes("from backup"));
    assert.equal((await admin(detour, "/admin/api/requests/0000000000000-00000000")).status, 404);

    // /metrics: the admin token or METRICS_TOKEN, nothing else.
    assert.equal((await fetch(`${detour.url}/metrics`)).status, 401);
    const wrong = await fetch(`${detour.url}/metrics`, {
      headers: { authorization: "Bearer nope-nope-nope-nope" },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const res = await fetch(`${detour.url}/metrics`, {
      headers: { authorization: "Bearer metrics-token-0123456789" },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const viaAdmin = await fetch(`${detour.url}/metrics`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    });
    assert.equal(viaAdmin.status, 200);
    await viaAdmin.body?.cancel();
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.e+-]+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (\+Inf|NaN)$/;
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("#")) {
        assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
        continue;
      }
      assert.match(line, sample, `not a sample line: ${line}`);
    }
    assert.match(
      text,
      /^detour_requests_total\{endpoint="messages",code="2xx",provider="zai"\} 3$/m,
    );
    assert.match(text, /^detour_fallbacks_total\{provider="zai"\} 3$/m);
    assert.match(text, /^detour_attempts_total\{provider="anthropic",outcome="fallback"\} 3$/m);
    assert.match(
      text,
      /^detour_tokens_total\{provider="anthropic",model="claude-sonnet-4-5",kind="input"\} 30$/m,
    );
    assert.match(text, /^detour_request_duration_seconds_count\{provider="anthropic"\} 3$/m);
    assert.match(text, /^detour_provider_cooling\{provider="zai"\} 0$/m);
    // 429s are the credential's problem, not the provider's: the circuit stays closed.
    assert.match(text, /^detour_circuit_state\{provider="anthropic",state="closed"\} 1$/m);
    assert.match(text, /^detour_circuit_state\{provider="anthropic",state="open"\} 0$/m);
    assert.match(text, /^detour_circuit_failures\{provider="anthropic"\} 0$/m);

    for (
      const s of [
        text,
        await kvDump(detour.deps.kv),
        JSON.stringify(all.body),
        JSON.stringify(one.body),
      ]
    ) {
      assert.ok(!s.includes(STORED_KEY), "stored key leaked");
      assert.ok(!s.includes(CLIENT_KEY), "client key leaked");
    }
    // Guessing tokens locks the address out, like the admin login.
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${detour.url}/metrics`, {
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
      });
      await r.body?.cancel();
      last = r.status;
    }
    assert.equal(last, 429);
  } finally {
    await detour.close();
    await primary.close();
    await backup.close();
  }
});

Deno.test("quota per key, shared through KV between instances, reset at the week's start", async () => {
  const { compileChain } = await import("../lib/fallback/chain.ts");
  const { ConfigSchema } = await import("../lib/config/schema.ts");
  const { QuotaBoard } = await import("../lib/usage/quota_board.ts");
  const { UsageRecorder } = await import("../lib/usage/recorder.ts");
  const config = ConfigSchema.parse({
    providers: [{
      id: "zai",
      type: "anthropic",
      baseUrl: "http://127.0.0.1:9",
      keys: [STORED_KEY, STORED_KEY_2],
      quota: { tokens: 1000, period: "week", weekStartsOn: "sunday", perKey: true },
    }],
  });
  const chain = await compileChain(config);
  const [k1, k2] = chain.providers[0].keys;
  const kv = await Deno.openKv(":memory:");
  try {
    const saturday = Date.UTC(2026, 0, 10, 23, 59, 59, 999);
    const a = new QuotaBoard(kv, () => chain, { clock: () => saturday });
    const b = new QuotaBoard(kv, () => chain, { clock: () => saturday });
    const recorder = new UsageRecorder(kv, () => config, a);
    recorder.add({
      usage: {
        at: saturday,
        provider: "zai",
        keyLabel: "zai#1",
        model: "m",
        counts: { requests: 1, input: 950, output: 0, cache_read: 0, cache_write: 0 },
      },
      quotaTargets: [chain.providers[0].target, k1.target],
      entry: null,
    });
    // Only the key has a budget (perKey): the provider itself is never "cooling" for it.
    assert.equal(a.get(chain.providers[0].target), undefined);
    const until = a.get(k1.target, 1000)?.until;
    assert.equal(until, 1000 + 1); // resets in 1 ms, expressed in the caller's time
    assert.equal(a.get(k2.target), undefined);
    await recorder.flush();
    await b.sync();
    assert.equal(b.state(k1.target)?.used, 950);
    assert.equal(b.state(k1.target)?.resetsAt, "2026-01-11T00:00:00.000Z");
    b.clock = () => saturday + 1; // Sunday 00:00: a new week
    assert.equal(b.get(k1.target), undefined);
    assert.equal(b.state(k1.target)?.used, 0);
  } finally {
    kv.close();
  }
});
