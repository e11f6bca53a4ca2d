/**
 * Graceful shutdown, as Detour runs self-hosted (the bundle `deno task serve` runs, a subprocess)
 * and receives SIGTERM: a stream in flight finishes intact within the grace, one that outlasts it
 * ends with an SSE `error` event (with the front listener and without), new connections are
 * refused, usage counted before the signal is in KV after the exit, and the exit code is 0.
 */
import { startDetourProcess, waitForLine } from "./helpers/detour_process.ts";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicMessage,
  anthropicRefusal,
  anthropicSse,
  closeAll,
  hangUntilAborted,
  mockUpstream,
} from "./helpers/harness.ts";
import { KV } from "../lib/store/keys.ts";
import { guardStream, type StreamEnd } from "../lib/http/sse_guard.ts";
import { readEnv, shutdownGraceMs } from "../lib/config/env.ts";

const CLIENT_KEY = "sk-ant-api03-shutdown-client-key-0123456789";
const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PARAMS = {
  model: "claude-sonnet-5",
  max_tokens: 16,
  messages: [{ role: "user" as const, content: "hi" }],
};

/** The hourly usage sums of provider `id` in the KV file at `path` (opened after the exit). */
async function providerUsage(path: string, id: string): Promise<Record<string, number>> {
  const kv = await Deno.openKv(path);
  try {
    const sums: Record<string, number> = {};
    for await (const e of kv.list<Deno.KvU64>({ prefix: KV.usageSpan("h") })) {
      const [, , , dim, name, field] = e.key as string[];
      if (dim === "p" && name === id) sums[field] = (sums[field] ?? 0) + Number(e.value.value);
    }
    return sums;
  } finally {
    kv.close();
  }
}

/**
 * A streaming upstream (https://docs.anthropic.com/en/api/messages-streaming): message_start
 * at once, then the rest `gapMs` apart; with `x-test: hang`, it never finishes (until aborted).
 */
function slowStreamingUpstream(text: string, gapMs: number) {
  const events = anthropicSse(text);
  const state = { aborted: null as boolean | null };
  const upstream = mockUpstream((req, body) => {
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    if (!JSON.parse(body).stream) return Response.json(anthropicMessage("counted"));
    const hangs = req.headers.get("x-test") === "hang";
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(enc.encode(events[0] + events[1]));
        if (hangs) {
          state.aborted = await hangUntilAborted(req.signal, 10_000);
          return controller.close();
        }
        for (const e of events.slice(2)) {
          await sleep(gapMs);
          controller.enqueue(enc.encode(e));
        }
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  });
  return { upstream, state };
}

Deno.test("shutdown: a stream in flight at SIGTERM completes, new connections are refused, usage reaches KV, exit 0", async () => {
  const { upstream } = slowStreamingUpstream("finished despite the restart signal", 250);
  const detour = await startDetourProcess(upstream.url, { SHUTDOWN_GRACE_MS: "8000" });
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    // Counted before the signal, still in the usage batch (flushed about once a second).
    await client.messages.create(PARAMS);
    const stream = client.messages.stream({ ...PARAMS, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // message_start arrived: the stream is live
    const exit = detour.terminate();
    await waitForLine(detour.lines, (l) => l.includes('"shutting down"'), () => null);
    const refused = await fetch(`${detour.url}/health`).then(
      async (r) => (await r.body?.cancel(), `answered ${r.status}`),
      () => "refused",
    );
    assert.equal(refused, "refused", "no new connection once draining");

    const texts: string[] = [];
    for (let i = 0; i < 100; i++) {
      const next = await iterator.next();
      if (next.done) break;
      const event = next.value;
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        texts.push(event.delta.text);
      }
    }
    assert.equal(texts.join(""), "finished despite the restart signal");
    const status = await exit;
    assert.equal(status.code, 0, detour.lines.join("\n"));
    assert.ok(detour.lines.some((l) => l.includes('"shut down"') && l.includes('"drained":true')));

    const usage = await providerUsage(detour.kvPath, "anthropic");
    assert.equal(usage.requests, 2, "both requests counted");
    assert.equal(usage.input, 20);
    assert.equal(usage.output, 10);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("shutdown: usage counted just before SIGTERM is flushed to KV, not lost with the batch", async () => {
  const { upstream } = slowStreamingUpstream("", 0);
  const detour = await startDetourProcess(upstream.url, {});
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    await client.messages.create(PARAMS);
    const status = await detour.terminate();
    assert.equal(status.code, 0, detour.lines.join("\n"));
    const usage = await providerUsage(detour.kvPath, "anthropic");
    assert.equal(usage.requests, 1, detour.lines.join("\n"));
    assert.equal(usage.input, 10);
    assert.equal(usage.output, 5);
  } finally {
    await closeAll(detour, upstream);
  }
});

for (const frontListener of ["on", "off"]) {
  Deno.test(`shutdown (FRONT_LISTENER=${frontListener}): a stream longer than the grace ends with an SSE error event and Detour exits`, async () => {
    const { upstream, state } = slowStreamingUpstream("never finished", 0);
    const detour = await startDetourProcess(upstream.url, {
      SHUTDOWN_GRACE_MS: "1000",
      FRONT_LISTENER: frontListener,
    });
    try {
      const res = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": CLIENT_KEY,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          "x-test": "hang",
        },
        body: JSON.stringify({ ...PARAMS, stream: true }),
      });
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let body = "";
      while (!body.includes("content_block_start")) {
        const { done, value } = await reader.read();
        if (done) break;
        body += value;
      }
      const exit = detour.terminate();
      for (let i = 0; i < 100; i++) {
        const { done, value } = await reader.read();
        if (done) break;
        body += value;
      }
      const events = body.split("\n\n").filter((e) => e.trim() !== "");
      const last = events[events.length - 1];
      assert.match(last, /^event: error\ndata: /, body);
      const data = JSON.parse(last.split("\ndata: ")[1]);
      assert.equal(data.type, "error");
      assert.equal(data.error.type, "overloaded_error");
      assert.match(data.error.message, /shutting down/);
      assert.ok(!body.includes("message_stop"));
      const status = await exit;
      assert.equal(status.code, 0, detour.lines.join("\n"));
      assert.ok(detour.lines.some((l) => l.includes("shutdown grace over")));
      for (let i = 0; i < 100 && state.aborted === null; i++) await sleep(50);
      assert.equal(state.aborted, true, "the upstream request was cancelled");
    } finally {
      await closeAll(detour, upstream);
    }
  });
}

Deno.test("shutdown: requests still waiting on upstream headers when the grace ends get a JSON 529 overloaded_error, not a cut connection", async () => {
  // An upstream that never answers (no headers) until Detour gives up on it.
  const aborted: boolean[] = [];
  const upstream = mockUpstream(async (req) => {
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    aborted.push(await hangUntilAborted(req.signal, 10_000));
    return Response.json(anthropicMessage("too late"));
  });
  const detour = await startDetourProcess(upstream.url, { SHUTDOWN_GRACE_MS: "1000" });
  try {
    const ask = (stream: boolean) =>
      fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": CLIENT_KEY,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
        },
        body: JSON.stringify({ ...PARAMS, stream }),
      });
    const answers = [ask(true), ask(false)];
    for (let i = 0; i < 100 && upstream.received.length < 2; i++) await sleep(50);
    assert.equal(upstream.received.length, 2);
    const exit = detour.terminate();
    for (const res of await Promise.all(answers)) {
      assert.equal(res.status, 529);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      const body = await res.json();
      assert.equal(body.type, "error");
      assert.equal(body.error.type, "overloaded_error");
      assert.match(body.error.message, /restarting/);
    }
    const status = await exit;
    assert.equal(status.code, 0, detour.lines.join("\n"));
    for (let i = 0; i < 100 && aborted.length < 2; i++) await sleep(50);
    assert.deepEqual(aborted, [true, true], "the upstream requests were cancelled");
    // Detour's own shutdown is no provider's fault: nothing cooled down or counted as failing.
    const kv = await Deno.openKv(detour.kvPath);
    try {
      const cooldowns = await Array.fromAsync(kv.list({ prefix: KV.cooldownPrefix() }));
      assert.equal(cooldowns.length, 0);
    } finally {
      kv.close();
    }
  } finally {
    await closeAll(detour, upstream);
  }
});

/** An SSE event as Anthropic sends it. */
const sse = (type: string) => enc.encode(`event: ${type}\ndata: {"type":"${type}"}\n\n`);

/** Relays `upstream` through the guard with `shutdown`; resolves with how it ended. */
function guarded(head: Uint8Array[], upstream: ReadableStream<Uint8Array>, shutdown: AbortSignal) {
  let resolve!: (end: StreamEnd) => void;
  const ended = new Promise<StreamEnd>((r) => resolve = r);
  const out = guardStream(head, upstream.getReader(), (end) => resolve(end), 0, shutdown);
  return { out, ended };
}

Deno.test("guardStream: the shutdown signal ends a live stream with an overloaded_error event and cancels the upstream", async () => {
  let cancelled: unknown = null;
  const upstream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(sse("message_start"));
      c.enqueue(sse("content_block_delta"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const shutdown = new AbortController();
  const { out, ended } = guarded([], upstream, shutdown.signal);
  const reader = out.getReader();
  const dec = new TextDecoder();
  let text = "";
  for (let i = 0; i < 10 && !text.includes("content_block_delta"); i++) {
    text += dec.decode((await reader.read()).value);
  }
  shutdown.abort();
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += dec.decode(r.value);
  assert.match(text, /event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error"/);
  assert.equal(await ended, "shutdown");
  assert.equal(cancelled, "shutting down");
});

Deno.test("guardStream: a stream already aborted replays its head, then the error; a finished one is left alone", async () => {
  const shutdown = new AbortController();
  shutdown.abort();
  const hanging = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
  const cut = guarded([sse("message_start")], hanging, shutdown.signal);
  const text = await new Response(cut.out).text();
  assert.match(text, /^event: message_start\n[^]*event: error\n/);
  assert.equal(await cut.ended, "shutdown");

  const live = new AbortController();
  const whole = [sse("message_start"), sse("message_stop")];
  const done = guarded([], new Blob(whole).stream(), live.signal);
  const body = await new Response(done.out).text();
  live.abort(); // after the end: changes nothing
  assert.doesNotMatch(body, /event: error/);
  assert.equal(await done.ended, "complete");
});

Deno.test("SHUTDOWN_GRACE_MS: 10 s self-hosted, 4 s on Deno Deploy (killed 5 s after SIGINT), or as set", () => {
  assert.equal(shutdownGraceMs(readEnv({})), 10_000);
  assert.equal(shutdownGraceMs(readEnv({ DENO_DEPLOYMENT_ID: "abc123" })), 4000);
  assert.equal(
    shutdownGraceMs(readEnv({ DENO_DEPLOYMENT_ID: "abc123", SHUTDOWN_GRACE_MS: "0" })),
    0,
  );
  assert.equal(shutdownGraceMs(readEnv({ SHUTDOWN_GRACE_MS: "30000" })), 30_000);
  assert.throws(() => readEnv({ SHUTDOWN_GRACE_MS: "-1" }), /SHUTDOWN_GRACE_MS/);
});
