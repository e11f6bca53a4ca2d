/**
 * Integration tests of streamed Messages requests: pass-through bytes, fallback before the first
 * content event, incremental forwarding, and streams that break after they started.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput, ProviderInput } from "../lib/config/schema.ts";
import {
  allHeaderText,
  anthropicErrorResponse,
  anthropicSse,
  hangUntilAborted,
  mockUpstream,
  readTimed,
  type Running,
  sseResponse,
  startPrimaryBackup,
  waitFor,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-streaming-client-key-0123456789";
const STORED_KEY = "sk-stream-backup-stored-key-0123456789";
const MODEL = "claude-sonnet-5";
const ATTEMPT = String.raw`\d+ms`;

type Answer = Parameters<typeof mockUpstream>[0];

const enc = new TextEncoder();

const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
const overloadedEvent = ev("error", {
  type: "error",
  error: { type: "overloaded_error", message: "Overloaded" },
});

/** The backup's answer: a complete stream saying `text`. */
const streams = (text: string): Answer => () => sseResponse(anthropicSse(text, { model: MODEL }));

/**
 * An SSE response that sends `chunks` and then closes (early, without message_stop) or hangs until the
 * request is aborted (`hung` learns whether it was).
 */
function sseThen(
  chunks: string[],
  then: "close" | "hang",
  signal: AbortSignal,
  hung?: (aborted: boolean) => void,
): Response {
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      // Let the chunks leave before the ending, so the client really sees content first.
      await new Promise((r) => setTimeout(r, 20));
      if (then === "close") controller.close();
      else {
        const aborted = await hangUntilAborted(signal, 5000);
        hung?.(aborted);
        try {
          controller.close();
        } catch { /* cancelled */ }
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/**
 * A raw HTTP/1.1 upstream on loopback that reads one request, answers 200 with a chunked SSE
 * body holding `chunks`, and then drops the connection without the terminating chunk.
 */
function cuttingServer(chunks: string[]): Running & { served: () => number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let served = 0;
  const handle = async (conn: Deno.Conn) => {
    const timer = setTimeout(() => conn.close(), 3000);
    try {
      // Read the request head and its Content-Length body.
      let got = "";
      const buf = new Uint8Array(64 * 1024);
      while (true) {
        const n = await conn.read(buf);
        if (n === null) return;
        got += new TextDecoder().decode(buf.subarray(0, n));
        const end = got.indexOf("\r\n\r\n");
        if (end < 0) continue;
        const length = Number(got.slice(0, end).match(/content-length:\s*(\d+)/i)?.[1] ?? 0);
        if (enc.encode(got.slice(end + 4)).byteLength >= length) break;
      }
      served++;
      let out = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n" +
        "transfer-encoding: chunked\r\n\r\n";
      for (const c of chunks) out += `${enc.encode(c).byteLength.toString(16)}\r\n${c}\r\n`;
      await conn.write(enc.encode(out));
      await new Promise((r) => setTimeout(r, 20));
    } catch {
      /* the peer went away */
    } finally {
      clearTimeout(timer);
      try {
        conn.close();
      } catch { /* closed by the timer */ }
    }
  };
  const conns: Promise<void>[] = [];
  const loop = (async () => {
    try {
      for await (const conn of listener) conns.push(handle(conn));
    } catch { /* listener closed */ }
  })();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served: () => served,
    close: async () => {
      try {
        listener.close();
      } catch { /* already closed */ }
      await loop;
      await Promise.all(conns);
    },
  };
}

function setup(
  primaryAnswer: Answer,
  backupAnswer: Answer = streams("from the backup"),
  opts: { primary?: Partial<ProviderInput>; config?: Partial<ConfigInput> } = {},
) {
  return startPrimaryBackup(primaryAnswer, backupAnswer, {
    ...opts,
    storedKey: STORED_KEY,
    clientKey: CLIENT_KEY,
  });
}

const params = (text = "hello") => ({
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: "user" as const, content: text }],
});

function postStream(url: string, signal?: AbortSignal) {
  return fetch(`${url}/v1/messages?beta=true`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "claude-code-20250219",
      "x-api-key": CLIENT_KEY,
    },
    body: JSON.stringify({ ...params(), stream: true }),
    signal,
  });
}

const textOf = (msg: Anthropic.Message) =>
  msg.content.map((b) => b.type === "text" ? b.text : "").join("");

/** The SSE events of a body, in order: `[event name, parsed data]`. */
function eventsOf(text: string): [string, Record<string, unknown>][] {
  return text.split("\n\n").filter((b) => b.trim()).map((block) => {
    const name = block.match(/^event: (.*)$/m)?.[1] ?? "";
    const data = block.match(/^data: (.*)$/m)?.[1] ?? "null";
    return [name, JSON.parse(data)];
  });
}

Deno.test("healthy stream: bytes pass through unchanged; the SDK's finalMessage works", async () => {
  const chunks = anthropicSse("Hello there from the primary", { model: MODEL });
  const t = await setup(() => {
    const res = sseResponse(chunks);
    res.headers.set("request-id", "req_stream_primary");
    return res;
  });
  try {
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.equal(res.headers.get("request-id"), "req_stream_primary");
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
    const { text } = await readTimed(res, performance.now());
    assert.equal(text, chunks.join(""), "the stream was altered on the way");
    assert.equal(t.primary.received[0].search, "?beta=true");
    assert.equal(JSON.parse(t.primary.received[0].body).stream, true);

    const stream = t.client.messages.stream(params());
    const final = await stream.finalMessage();
    assert.equal(textOf(final), "Hello there from the primary");
    assert.equal(final.stop_reason, "end_turn");

    // create({ stream: true }) yields the same events.
    const events = await t.client.messages.create({ ...params(), stream: true });
    let deltas = "";
    for await (const e of events) {
      if (e.type === "content_block_delta" && e.delta.type === "text_delta") deltas += e.delta.text;
    }
    assert.equal(deltas, "Hello there from the primary");
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

for (
  const [name, head] of [
    ["after message_start", [anthropicSse("", { model: MODEL })[0], ev("ping", { type: "ping" })]],
    ["as the first event", []],
  ] as const
) {
  Deno.test(`200 then an overloaded_error event ${name}: falls back to the backup's stream`, async () => {
    const t = await setup(() => sseResponse([...head, overloadedEvent]));
    try {
      const final = await t.client.messages.stream(params()).finalMessage();
      assert.equal(textOf(final), "from the backup");
      assert.equal(t.primary.received.length, 1);
      assert.equal(t.backup.received.length, 1);
      assert.equal(t.backup.received[0].headers.get("x-api-key"), STORED_KEY);
      assert.ok(!allHeaderText(t.backup.received).includes(CLIENT_KEY));

      // Raw: the client gets the backup's bytes and nothing of the primary's false start.
      const res = await postStream(t.detour.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-detour-provider"), "backup");
      const { text } = await readTimed(res, performance.now());
      assert.equal(text, anthropicSse("from the backup", { model: MODEL }).join(""));
      assert.ok(t.detour.deps.cooldowns.all().has("p:primary"), "the primary is not cooling");
    } finally {
      await t.close();
    }
  });
}

Deno.test("the attempts header names a stream error before content", async () => {
  const t = await setup(() => sseResponse([overloadedEvent]));
  try {
    const res = await postStream(t.detour.url);
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary stream_error:529 ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    await res.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("a 200 stream that ends before any content falls back", async () => {
  const t = await setup(() => sseResponse(anthropicSse("", { model: MODEL }).slice(0, 1)));
  try {
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    const { text } = await readTimed(res, performance.now());
    assert.equal(text, anthropicSse("from the backup", { model: MODEL }).join(""));
  } finally {
    await t.close();
  }
});

Deno.test("all fail on a streaming request: the first stream error becomes a JSON 529", async () => {
  const t = await setup(
    () => sseResponse([overloadedEvent]),
    () => anthropicErrorResponse(500, "api_error", "backup broke"),
  );
  try {
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 529);
    assert.equal(res.headers.get("x-detour-provider"), "none");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary stream_error:529 ${ATTEMPT}, backup 500 ${ATTEMPT}$`),
    );
    assert.deepEqual(await res.json(), {
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    // The SDK sees an overloaded error it knows how to back off from.
    await assert.rejects(
      t.client.messages.stream(params()).finalMessage(),
      (e) => e instanceof Anthropic.APIError && e.status === 529,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a 429 on a streaming request: the backup's stream answers", async () => {
  const t = await setup(() =>
    anthropicErrorResponse(429, "rate_limit_error", "Number of request tokens exceeded", {
      "retry-after": "10",
    })
  );
  try {
    const stream = t.client.messages.stream(params());
    const final = await stream.finalMessage();
    assert.equal(textOf(final), "from the backup");
    const res = await stream.withResponse();
    assert.equal(res.response.headers.get("x-detour-provider"), "backup");
    assert.match(
      res.response.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary 429 ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    assert.equal(JSON.parse(t.backup.received[0].body).stream, true);
    assert.ok(!allHeaderText(t.backup.received).includes(CLIENT_KEY));
  } finally {
    await t.close();
  }
});

Deno.test("a slow stream is forwarded incrementally, not buffered", async () => {
  const chunks = anthropicSse("one two three four five six seven eight nine ten eleven twelve", {
    model: MODEL,
  });
  const t = await setup(() => sseResponse(chunks, 50));
  try {
    const started = performance.now();
    const res = await postStream(t.detour.url);
    const { chunks: got, text, end } = await readTimed(res, started);
    assert.equal(text, chunks.join(""));
    const dec = new TextDecoder();
    const firstDelta = got.find((c) => dec.decode(c.bytes).includes("content_block_delta"));
    assert.ok(firstDelta, "no content delta arrived");
    // The upstream takes ~18 × 50 ms; the first delta goes out after ~4 of them.
    assert.ok(end > 600, `the stream took only ${Math.round(end)} ms`);
    assert.ok(
      firstDelta.at < end - 400,
      `first delta at ${Math.round(firstDelta.at)} ms of ${Math.round(end)} ms: buffered`,
    );
    assert.ok(got.length >= 10, `only ${got.length} chunks reached the client`);

    // The SDK sees text before the stream ends, too.
    const sdkStarted = performance.now();
    const stream = t.client.messages.stream(params());
    let firstText = -1;
    stream.on("text", () => {
      if (firstText < 0) firstText = performance.now() - sdkStarted;
    });
    await stream.finalMessage();
    const sdkEnd = performance.now() - sdkStarted;
    assert.ok(firstText >= 0 && firstText < sdkEnd - 400, `SDK: ${firstText} of ${sdkEnd} ms`);
  } finally {
    await t.close();
  }
});

Deno.test("hang before the stream starts: after timeoutMs the backup's stream answers", async () => {
  let aborted: boolean | null = null;
  const t = await setup(
    async (req) => {
      aborted = await hangUntilAborted(req.signal, 5000);
      return sseResponse(anthropicSse("late primary", { model: MODEL }));
    },
    streams("from the backup"),
    { primary: { timeoutMs: 300 } },
  );
  try {
    const started = performance.now();
    const final = await t.client.messages.stream(params()).finalMessage();
    const ms = performance.now() - started;
    assert.equal(textOf(final), "from the backup");
    assert.ok(ms >= 250 && ms < 2500, `answered after ${Math.round(ms)} ms`);
    await waitFor(() => aborted !== null, 2000, "the primary's request to end");
    assert.equal(aborted, true, "the timed-out upstream request was not aborted");
  } finally {
    await t.close();
  }
});

Deno.test("hang after message_start, before any content: timeoutMs still falls back", async () => {
  let aborted: boolean | null = null;
  const head = anthropicSse("", { model: MODEL }).slice(0, 1);
  const t = await setup(
    (req) => sseThen(head, "hang", req.signal, (a) => aborted = a),
    streams("from the backup"),
    { primary: { timeoutMs: 300 } },
  );
  try {
    const started = performance.now();
    const res = await postStream(t.detour.url);
    const { text } = await readTimed(res, started);
    const ms = performance.now() - started;
    assert.equal(res.headers.get("x-detour-provider"), "backup");
    assert.equal(text, anthropicSse("from the backup", { model: MODEL }).join(""));
    assert.ok(ms < 2500, `answered after ${Math.round(ms)} ms`);
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary timeout ${ATTEMPT}, backup 200 ${ATTEMPT}$`),
    );
    await waitFor(() => aborted !== null, 2000, "the primary's stream to end");
    assert.equal(aborted, true, "the upstream stream was left running");
  } finally {
    await t.close();
  }
});

for (const how of ["close", "cut"] as const) {
  Deno.test(`a stream that breaks after content started (${how}): ends with an SSE error event, no fallback`, async () => {
    const sent = anthropicSse("partial answer that never ends", { model: MODEL }).slice(0, 5);
    // `close`: the upstream ends its body cleanly but without message_stop; `cut`: the
    // connection drops in the middle of a chunked body.
    const cutter = how === "cut" ? cuttingServer(sent) : null;
    const t = await setup(
      (req) => sseThen(sent, "close", req.signal),
      streams("from the backup"),
      cutter ? { primary: { baseUrl: cutter.url } } : {},
    );
    try {
      const res = await postStream(t.detour.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-detour-provider"), "primary");
      const { text } = await readTimed(res, performance.now());
      assert.ok(text.startsWith(sent.join("")), "the content sent was not relayed unchanged");
      const rest = text.slice(sent.join("").length);
      const events = eventsOf(rest);
      assert.equal(events.length, 1, `expected one trailing error event, got: ${rest}`);
      const [name, data] = events[0];
      assert.equal(name, "error");
      assert.equal(data.type, "error");
      const error = data.error as { type: string; message: string };
      assert.equal(typeof error.type, "string");
      assert.match(error.message, /\S/);
      assert.ok(!text.includes("event: message_stop"));
      assert.equal(t.backup.received.length, 0, "silent fallback after content went out");
      await waitFor(
        () => t.detour.deps.cooldowns.all().has("p:primary"),
        1000,
        "the broken provider to cool down",
      );

      // The SDK surfaces it as an error instead of a silently truncated message.
      t.detour.deps.cooldowns.clear("p:primary");
      await assert.rejects(
        t.client.messages.stream(params()).finalMessage(),
        (e) => e instanceof Anthropic.AnthropicError,
      );
      assert.equal(t.backup.received.length, 0);
      if (cutter) assert.equal(cutter.served(), 2);
    } finally {
      await t.close();
      await cutter?.close();
    }
  });
}

for (
  const [marker, words] of [
    ["message_stop", "The stream is over after message_stop"],
    ["event: error", 'Anthropic ends a failed stream with "event: error"'],
  ]
) {
  Deno.test(`a stream cut right after text that mentions "${marker}" still ends with an error event`, async () => {
    // Text that merely talks about the protocol must not pass for a finished stream.
    const sent = [
      ...anthropicSse("", { model: MODEL }).slice(0, 2),
      ev("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: words },
      }),
    ];
    const t = await setup((req) => sseThen(sent, "close", req.signal));
    try {
      const res = await postStream(t.detour.url);
      const { text } = await readTimed(res, performance.now());
      assert.ok(text.startsWith(sent.join("")));
      const events = eventsOf(text.slice(sent.join("").length));
      assert.equal(events.length, 1, "a truncated stream ended without an error event");
      assert.equal(events[0][0], "error");
      assert.equal(t.backup.received.length, 0);
    } finally {
      await t.close();
    }
  });
}

Deno.test("an upstream error event after content is relayed as sent, not doubled or retried", async () => {
  const sent = [...anthropicSse("half an answer", { model: MODEL }).slice(0, 4), overloadedEvent];
  const t = await setup((req) => sseThen(sent, "close", req.signal));
  try {
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 200);
    const { text } = await readTimed(res, performance.now());
    assert.equal(text, sent.join(""));
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a client that hangs up mid-stream: upstream cancelled, nothing cools down", async () => {
  let aborted: boolean | null = null;
  const head = anthropicSse("streaming away", { model: MODEL }).slice(0, 4);
  const t = await setup((req) => sseThen(head, "hang", req.signal, (a) => aborted = a));
  try {
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    await reader.cancel();
    await waitFor(() => aborted !== null, 2000, "the primary's stream to end");
    assert.equal(aborted, true, "the upstream stream outlived the client");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.detour.deps.cooldowns.all().size, 0, "a client hang-up cooled a provider");
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a stream that stalls after content: streamIdleTimeoutMs ends it with an error event", async () => {
  const sent = anthropicSse("partial answer then silence", { model: MODEL }).slice(0, 5);
  let upstreamAborted: boolean | null = null;
  const t = await setup(
    (req) => sseThen(sent, "hang", req.signal, (aborted) => upstreamAborted = aborted),
    streams("from the backup"),
    { config: { streamIdleTimeoutMs: 1000 } },
  );
  try {
    const started = performance.now();
    const res = await postStream(t.detour.url);
    assert.equal(res.status, 200);
    const { text } = await readTimed(res, started);
    const elapsed = performance.now() - started;
    assert.ok(text.startsWith(sent.join("")));
    const events = eventsOf(text.slice(sent.join("").length));
    assert.equal(events.length, 1);
    assert.equal(events[0][0], "error");
    assert.match((events[0][1].error as { message: string }).message, /nothing for 1000 ms/);
    // Bounded by the idle timeout, not by the upstream's 5 s hang.
    assert.ok(elapsed < 4000, `took ${elapsed} ms`);
    await waitFor(() => upstreamAborted !== null, 2000, "the upstream to be cancelled");
    assert.equal(upstreamAborted, true);
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});
