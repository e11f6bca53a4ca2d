/**
 * Detour as it runs self-hosted (the bundle `deno task serve` runs, a subprocess) under a low
 * descriptor limit (`ulimit -n 256`), attacked on loopback with slow, idle and too many
 * connections: it closes the slow ones within its timeouts, answers 529 above its connection cap,
 * never exits, and still serves ordinary requests, including a stream silent for longer than every
 * timeout.
 */
import { startDetourProcess, waitForLine } from "./helpers/detour_process.ts";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicMessage,
  anthropicSse,
  closeAll,
  hangUntilAborted,
  mockUpstream,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-server-limits-client-key-0123456789";
const FD_LIMIT = 256;
/** Short limits, so the test sees them act; the defaults are far longer. */
const LIMITS = { HEADERS_TIMEOUT_MS: "2000", BODY_TIMEOUT_MS: "2000", IDLE_TIMEOUT_MS: "2000" };
const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a raw connection ended, from the client's side. */
interface Outcome {
  /** The server's first bytes, if it answered. */
  answer: string;
  /** The client ran out of bytes to drip before the server closed (the server waited forever). */
  outlasted: boolean;
}

/**
 * Opens a connection and drips `bytes` one every `everyMs` (the slow-loris pattern) until the
 * server closes it or the bytes run out.
 */
async function drip(port: number, bytes: string, everyMs: number): Promise<Outcome> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return { answer: "refused", outlasted: false };
  }
  let closed = false;
  let answer = "";
  const reading = (async () => {
    const buf = new Uint8Array(4096);
    try {
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
        answer += new TextDecoder().decode(buf.subarray(0, n));
      }
    } catch { /* reset by the server */ }
    closed = true;
  })();
  for (const ch of bytes) {
    if (closed) break;
    await conn.write(enc.encode(ch)).catch(() => {});
    await sleep(everyMs);
  }
  const outlasted = !closed;
  try {
    conn.close();
  } catch { /* closed already */ }
  await reading;
  return { answer, outlasted };
}

/** One raw request, answered, then the connection kept open: when does the server close it? */
async function idleAfterOneRequest(port: number): Promise<{ status: string; closedMs: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode("GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"));
  const buf = new Uint8Array(4096);
  const first = await conn.read(buf);
  const status = new TextDecoder().decode(buf.subarray(0, first ?? 0)).split("\r\n")[0];
  const t0 = Date.now();
  try {
    while (await conn.read(buf) !== null) { /* the rest of the answer */ }
  } catch { /* reset */ }
  const closedMs = Date.now() - t0;
  conn.close();
  return { status, closedMs };
}

const SLOW_HEAD =
  "POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: aaaaaaaaaaaaaaaaaaaa";
const SLOW_BODY = "POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 200\r\n\r\n{";

Deno.test("server limits: slow, idle and surplus connections cannot crash Detour or lock it up", async () => {
  const upstream = mockUpstream(() => Response.json(anthropicMessage("still serving")));
  const detour = await startDetourProcess(upstream.url, LIMITS, FD_LIMIT);
  try {
    assert.equal(detour.maxConnections, 48, "derived from the soft limit: (256 - 64) / 4");

    // More connections than the process has descriptors, each dripping a byte every 200 ms for
    // up to 14 s. The first 48 are held until their header timeout; the rest are turned away.
    const flood = Array.from(
      { length: 300 },
      (_, i) => drip(detour.port, i % 2 ? SLOW_HEAD : SLOW_BODY, 200),
    );
    await sleep(500);
    // While the surplus is being turned away, a connection may find no room even for a 529 and
    // be closed at once; a few tries (well within the 2 s the held ones last) get the answer.
    let overCap: Response | null = null;
    for (let i = 0; i < 10 && overCap === null; i++) {
      overCap = await fetch(`${detour.url}/v1/messages`, { method: "POST", body: "{}" })
        .catch(() => sleep(100).then(() => null));
    }
    assert.ok(overCap, "no 529 answer in ten tries");
    assert.equal(overCap.status, 529, "above the cap: 529, not a dead process");
    assert.equal(overCap.headers.get("retry-after"), "2");
    const err = await overCap.json();
    assert.equal(err.type, "error");
    assert.equal(err.error.type, "overloaded_error");

    const outcomes = await Promise.all(flood);
    assert.equal(outcomes.filter((o) => o.outlasted).length, 0, "the server closed every one");
    const shed = outcomes.filter((o) => o.answer.startsWith("HTTP/1.1 529"));
    assert.ok(shed.length > 0, "some were answered 529");
    assert.ok(shed.every((o) => /\r\nretry-after: 2\r\n/.test(o.answer)));
    assert.equal(detour.exited(), null, "Detour is still running");

    // Afterwards: a kept-alive connection is closed once idle; ordinary requests are served.
    const idle = await idleAfterOneRequest(detour.port);
    assert.equal(idle.status, "HTTP/1.1 200 OK");
    assert.ok(idle.closedMs < 10_000, `idle connection closed (after ${idle.closedMs} ms)`);
    const health = await fetch(`${detour.url}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const msg = await client.messages.create({
      model: "claude-sonnet-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "still serving");
    assert.equal(detour.exited(), null);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("server limits: a stream silent for longer than every timeout is not cut, and a client that leaves still aborts the upstream", async () => {
  const events = anthropicSse("thought long, then answered");
  let aborted: boolean | null = null;
  // https://docs.anthropic.com/en/api/messages-streaming: message_start, then content events.
  const upstream = mockUpstream((req) => {
    const hangs = req.headers.get("x-test") === "hang";
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(enc.encode(events[0] + events[1]));
        if (hangs) {
          aborted = await hangUntilAborted(req.signal, 10_000);
          return controller.close();
        }
        await sleep(3500); // longer than the header, body and idle timeouts (2 s each)
        for (const e of events.slice(2)) controller.enqueue(enc.encode(e));
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const detour = await startDetourProcess(upstream.url, LIMITS, FD_LIMIT);
  try {
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const params = {
      model: "claude-sonnet-5",
      max_tokens: 16,
      messages: [{ role: "user" as const, content: "think" }],
    };
    const msg = await client.messages.stream(params).finalMessage();
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "thought long, then answered");

    const leaving = new AbortController();
    const stream = client.messages.stream(params, {
      headers: { "x-test": "hang" },
      signal: leaving.signal,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // message_start arrived: the stream is live
    leaving.abort();
    await iterator.return?.().catch(() => {});
    for (let i = 0; i < 200 && aborted === null; i++) await sleep(50);
    assert.equal(aborted, true, "the upstream request was aborted when the client left");
    assert.equal(detour.exited(), null);
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("server limits: MAX_CONNECTIONS caps connections; an idle one makes room, a busy cap answers 529", async () => {
  const upstream = mockUpstream(() => Response.json(anthropicMessage("room made")));
  const detour = await startDetourProcess(upstream.url, {
    ...LIMITS,
    IDLE_TIMEOUT_MS: "60000",
    MAX_CONNECTIONS: "3",
  }, FD_LIMIT);
  const kept: Deno.Conn[] = [];
  try {
    assert.equal(detour.maxConnections, 3, "the override wins over the descriptor limit");
    // Three kept-alive connections, idle after one request each, fill the cap.
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: detour.port });
      await conn.write(enc.encode("GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"));
      assert.ok((await conn.read(new Uint8Array(4096)) ?? 0) > 0);
      kept.push(conn);
    }
    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const params = {
      model: "claude-sonnet-5",
      max_tokens: 16,
      messages: [{ role: "user" as const, content: "hi" }],
    };
    const msg = await client.messages.create(params);
    assert.equal(
      (msg.content[0] as Anthropic.TextBlock).text,
      "room made",
      "an idle one made room",
    );

    // Three connections in the middle of sending a head: nothing idle to close, so a 529.
    const busy = [0, 1, 2].map(() => drip(detour.port, SLOW_HEAD, 100));
    await sleep(300);
    const err = await client.messages.create(params).catch((e) => e);
    assert.ok(err instanceof Anthropic.APIError, String(err));
    assert.equal(err.status, 529);
    assert.equal(err.headers?.get("retry-after"), "2");
    assert.equal((err.error as { error?: { type?: string } })?.error?.type, "overloaded_error");
    await Promise.all(busy);
    assert.equal(detour.exited(), null);
  } finally {
    for (const c of kept) {
      try {
        c.close();
      } catch { /* closed by Detour */ }
    }
    await closeAll(detour, upstream);
  }
});

Deno.test("server limits: FRONT_LISTENER=off runs out of descriptors, restarts its server and serves again", async () => {
  const upstream = mockUpstream(() => Response.json(anthropicMessage("served again")));
  // A low limit that a short flood of connections exhausts.
  const detour = await startDetourProcess(upstream.url, { FRONT_LISTENER: "off" }, 64);
  const flood: Deno.Conn[] = [];
  try {
    assert.equal(detour.maxConnections, undefined, "no front listener, no connection cap");
    for (let i = 0; i < 120; i++) {
      try {
        flood.push(await Deno.connect({ hostname: "127.0.0.1", port: detour.port }));
      } catch {
        break; // refused while the server restarts: shedding, as intended
      }
    }
    await waitForLine(detour.lines, (l) => l.includes("Too many open files"), detour.exited);
    for (const c of flood.splice(0)) c.close();
    let answer = "";
    for (let i = 0; i < 40 && answer === ""; i++) {
      await sleep(100);
      const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
      answer = await client.messages.create({
        model: "claude-sonnet-5",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }).then((m) => (m.content[0] as Anthropic.TextBlock).text, () => "");
    }
    assert.equal(answer, "served again");
    assert.equal(detour.exited(), null, "the process is still running");
  } finally {
    for (const c of flood) c.close();
    await closeAll(detour, upstream);
  }
});
