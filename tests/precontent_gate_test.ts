/**
 * The pre-content gate (issue 11): every HTTP-200 failure before the first content falls back like
 * a 529 would. The mocks answer as the Anthropic API documents its streams and stop reasons:
 * - streams open with `message_start`, may send `ping` and `error` events before any content
 *   block (https://docs.anthropic.com/en/docs/build-with-claude/streaming);
 * - a refused request ends with `stop_reason: "refusal"`, with or without content
 *   (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons), which also
 *   documents empty `end_turn` answers as legitimate.
 * Clients are the official `@anthropic-ai/sdk` and raw `fetch` where bytes matter.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput, ProviderInput } from "../lib/config/schema.ts";
import {
  anthropicMessage,
  anthropicSse,
  hangUntilAborted,
  mockUpstream,
  readTimed,
  sseResponse,
  startPrimaryBackup,
  waitFor,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-gate-client-key-0123456789";
const STORED_KEY = "sk-gate-backup-stored-key-0123456789";
const MODEL = "claude-sonnet-5";
const MS = String.raw`\d+ms`;
const enc = new TextEncoder();

type Answer = Parameters<typeof mockUpstream>[0];

const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
const PING = ev("ping", { type: "ping" });
const messageStart = anthropicSse("", { model: MODEL })[0];
/** A refused stream: no content block, `stop_reason: "refusal"`, then `message_stop`. */
const refusedStream = [
  messageStart,
  PING,
  ev("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "refusal", stop_sequence: null },
    usage: { output_tokens: 2 },
  }),
  ev("message_stop", { type: "message_stop" }),
];
const refusedMessage = { ...anthropicMessage("", MODEL), content: [], stop_reason: "refusal" };

const streams = (text: string): Answer => () => sseResponse(anthropicSse(text, { model: MODEL }));
const answers = (body: unknown): Answer => () => Response.json(body);

/** `head`, then a ping every 20 ms until Detour aborts the request (bounded: 5 s). */
function pingsUntilAborted(head: string[], signal: AbortSignal): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(c) {
      for (const h of head) c.enqueue(enc.encode(h));
      timer = setInterval(() => {
        try {
          c.enqueue(enc.encode(PING));
        } catch { /* cancelled */ }
      }, 20);
      await hangUntilAborted(signal, 5000);
      clearInterval(timer);
      try {
        c.close();
      } catch { /* cancelled */ }
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function setup(
  primary: Answer,
  backup: Answer = streams("from the backup"),
  opts: { primary?: Partial<ProviderInput>; config?: Partial<ConfigInput> } = {},
) {
  return startPrimaryBackup(primary, backup, {
    ...opts,
    storedKey: STORED_KEY,
    clientKey: CLIENT_KEY,
  });
}

const params = () => ({
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hello" }],
});

function post(url: string, stream: boolean) {
  return fetch(`${url}/v1/messages?beta=true`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": CLIENT_KEY,
    },
    body: JSON.stringify({ ...params(), stream }),
  });
}

const textOf = (msg: Anthropic.Message) =>
  msg.content.map((b) => b.type === "text" ? b.text : "").join("");

/** The SSE event names of a body, in order. */
const eventNames = (text: string) =>
  text.split("\n\n").filter((b) => b.trim()).map((b) => b.match(/^event: (.*)$/m)?.[1] ?? "");

const streamCases: [string, Answer, RegExp][] = [
  [
    "ends before any content",
    () => sseResponse([messageStart, PING]),
    new RegExp(`^primary stream_error ${MS}, backup 200 ${MS}$`),
  ],
  [
    "refuses before any content",
    () => sseResponse(refusedStream),
    new RegExp(`^primary refusal:200 ${MS}, backup 200 ${MS}$`),
  ],
  [
    "sends an error event before any content",
    () =>
      sseResponse([
        messageStart,
        ev("error", { type: "error", error: { type: "api_error", message: "Internal" } }),
      ]),
    new RegExp(`^primary stream_error:500 ${MS}, backup 200 ${MS}$`),
  ],
  [
    "stalls before any content (pings only, past timeoutMs)",
    (req) => pingsUntilAborted([messageStart], req.signal),
    new RegExp(`^primary timeout ${MS}, backup 200 ${MS}$`),
  ],
];

for (const [name, primary, attempts] of streamCases) {
  Deno.test(`a 200 stream that ${name}: the backup answers (SDK and raw)`, async () => {
    const t = await setup(primary, streams("from the backup"), {
      primary: { timeoutMs: 300 },
      // Two requests in a row: the second must try the primary again.
      config: { pingAfterMs: 0, cooldownSeconds: 0 },
    });
    try {
      const final = await t.client.messages.stream(params()).finalMessage();
      assert.equal(textOf(final), "from the backup");

      const res = await post(t.detour.url, true);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-detour-provider"), "backup");
      assert.match(res.headers.get("x-detour-attempts") ?? "", attempts);
      const { text } = await readTimed(res, performance.now());
      assert.equal(text, anthropicSse("from the backup", { model: MODEL }).join(""));
    } finally {
      await t.close();
    }
  });
}

Deno.test("a refusal does not cool its provider down; a stream that ended early does", async () => {
  const refused = await setup(() => sseResponse(refusedStream));
  const ended = await setup(() => sseResponse([messageStart]));
  try {
    for (const t of [refused, ended]) {
      const res = await post(t.detour.url, true);
      await res.body?.cancel();
    }
    assert.ok(!refused.detour.deps.cooldowns.all().has("p:primary"), "a refusal cooled down");
    assert.ok(ended.detour.deps.cooldowns.all().has("p:primary"), "an empty stream did not");
  } finally {
    await refused.close();
    await ended.close();
  }
});

Deno.test("every provider refuses: the first refusal is the answer, as it was sent", async () => {
  const t = await setup(() => sseResponse(refusedStream), () => sseResponse(refusedStream));
  try {
    const final = await t.client.messages.stream(params()).finalMessage();
    assert.equal(final.stop_reason, "refusal");
    assert.deepEqual(final.content, []);
    const res = await post(t.detour.url, true);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.match(
      res.headers.get("x-detour-attempts") ?? "",
      new RegExp(`^primary refusal:200 ${MS}, backup refusal:200 ${MS}$`),
    );
    assert.equal(await res.text(), refusedStream.join(""));
  } finally {
    await t.close();
  }
});

const jsonCases: [string, unknown, string][] = [
  ["a refusal with no content", refusedMessage, "refusal:200"],
  ["empty: no content and no stop_reason", { ...refusedMessage, stop_reason: null }, "empty:200"],
  ["empty: not a message at all", {}, "empty:200"],
];

for (const [name, body, outcome] of jsonCases) {
  Deno.test(`a 200 JSON answer that is ${name}: the backup answers`, async () => {
    const t = await setup(answers(body), answers(anthropicMessage("from the backup", MODEL)), {
      config: { cooldownSeconds: 0 },
    });
    try {
      const msg = await t.client.messages.create(params());
      assert.equal(textOf(msg), "from the backup");
      const res = await post(t.detour.url, false);
      assert.equal(res.headers.get("x-detour-provider"), "backup");
      assert.match(
        res.headers.get("x-detour-attempts") ?? "",
        new RegExp(`^primary ${outcome} ${MS}, backup 200 ${MS}$`),
      );
      await res.body?.cancel();
    } finally {
      await t.close();
    }
  });
}

Deno.test("an empty end_turn answer is legitimate (Anthropic documents it): no fallback", async () => {
  const empty = { ...anthropicMessage("", MODEL), content: [] };
  const t = await setup(answers(empty), answers(anthropicMessage("from the backup", MODEL)));
  try {
    const msg = await t.client.messages.create(params());
    assert.deepEqual(msg.content, []);
    assert.equal(msg.stop_reason, "end_turn");
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("held past pingAfterMs: pings reach the client, then the backup's whole stream", async () => {
  const t = await setup(
    (req) => pingsUntilAborted([messageStart], req.signal),
    streams("from the backup"),
    { primary: { timeoutMs: 1000 }, config: { pingAfterMs: 50, cooldownSeconds: 0 } },
  );
  try {
    const res = await post(t.detour.url, true);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-detour-provider"), "pending");
    assert.ok(res.headers.get("x-request-id"), "a held answer has no request id");
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const { text } = await readTimed(res, performance.now());
    const names = eventNames(text);
    const start = names.indexOf("message_start");
    assert.ok(start > 0, `no ping before the answer: ${names.join(",")}`);
    assert.ok(names.slice(0, start).every((n) => n === "ping"), names.join(","));
    // After the pings, exactly the backup's bytes: nothing of the primary's false start.
    const backup = anthropicSse("from the backup", { model: MODEL }).join("");
    assert.ok(text.endsWith(backup), "the backup's stream was not relayed whole");
    assert.equal(text.slice(0, -backup.length), PING_TEXT.repeat(start));

    // The SDK reads the same held stream to a complete message.
    const final = await t.client.messages.stream(params()).finalMessage();
    assert.equal(textOf(final), "from the backup");

    // The log line names the provider that served, and both attempts.
    await waitFor(() => t.detour.logs.filter((l) => l.includes('"servedBy":"backup"')).length >= 2);
    const line = t.detour.logs.find((l) => l.includes('"servedBy":"backup"'))!;
    assert.match(line, /"provider":"primary","status":null,"outcome":"timeout"/);
  } finally {
    await t.close();
  }
});

const PING_TEXT = 'event: ping\ndata: {"type": "ping"}\n\n';

Deno.test("held, then every provider fails: one SSE error event after the pings", async () => {
  const t = await setup(
    (req) => pingsUntilAborted([messageStart], req.signal),
    () =>
      Response.json({ type: "error", error: { type: "overloaded_error", message: "Busy" } }, {
        status: 529,
      }),
    { primary: { timeoutMs: 1000 }, config: { pingAfterMs: 50, cooldownSeconds: 0 } },
  );
  try {
    const res = await post(t.detour.url, true);
    assert.equal(res.status, 200);
    const { text } = await readTimed(res, performance.now());
    const names = eventNames(text);
    assert.equal(names.at(-1), "error");
    assert.ok(names.slice(0, -1).every((n) => n === "ping") && names.length > 1, names.join());
    assert.match(text, /"overloaded_error"/);

    await assert.rejects(
      t.client.messages.stream(params()).finalMessage(),
      (err: unknown) => err instanceof Anthropic.APIError && /Busy/.test(String(err.message)),
    );
  } finally {
    await t.close();
  }
});

Deno.test("fast answers are not held: real headers, no pings", async () => {
  const t = await setup(streams("quick"), streams("from the backup"), {
    config: { pingAfterMs: 5000 },
  });
  try {
    const res = await post(t.detour.url, true);
    assert.equal(res.headers.get("x-detour-provider"), "primary");
    assert.equal(await res.text(), anthropicSse("quick", { model: MODEL }).join(""));
  } finally {
    await t.close();
  }
});

Deno.test("x-should-retry and anthropic-ratelimit-* reach the client unchanged", async () => {
  const limits = {
    "anthropic-ratelimit-requests-limit": "4000",
    "anthropic-ratelimit-requests-remaining": "3999",
    "anthropic-ratelimit-requests-reset": "2026-12-05T12:00:01Z",
    "anthropic-ratelimit-tokens-remaining": "399000",
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-5h-utilization": "0.42",
  };
  const t = await setup(
    (_req, body) =>
      JSON.parse(body).stream
        ? new Response(sseResponse(anthropicSse("ok", { model: MODEL })).body, {
          headers: { "content-type": "text/event-stream", ...limits },
        })
        : Response.json({
          type: "error",
          error: { type: "invalid_request_error", message: "bad" },
        }, { status: 400, headers: { "x-should-retry": "false", ...limits } }),
  );
  try {
    for (const stream of [true, false]) {
      const res = await post(t.detour.url, stream);
      for (const [name, value] of Object.entries(limits)) {
        assert.equal(res.headers.get(name), value, `${name} (stream: ${stream})`);
      }
      assert.equal(res.headers.get("x-should-retry"), stream ? null : "false");
      await res.body?.cancel();
    }
  } finally {
    await t.close();
  }
});

Deno.test("x-should-retry of a fallback status the client ends up with is kept", async () => {
  const busy = () =>
    Response.json({ type: "error", error: { type: "overloaded_error", message: "Busy" } }, {
      status: 529,
      headers: { "x-should-retry": "true", "anthropic-ratelimit-requests-remaining": "0" },
    });
  const t = await setup(busy, busy);
  try {
    const res = await post(t.detour.url, false);
    assert.equal(res.status, 529);
    assert.equal(res.headers.get("x-should-retry"), "true");
    assert.equal(res.headers.get("anthropic-ratelimit-requests-remaining"), "0");
    await res.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("a client that leaves while held: the upstream request is aborted, nothing cools down", async () => {
  let aborted: boolean | null = null;
  const t = await setup(
    (req) => {
      hangUntilAborted(req.signal, 5000).then((a) => aborted = a);
      return pingsUntilAborted([messageStart], req.signal);
    },
    streams("from the backup"),
    { primary: { timeoutMs: 5000 }, config: { pingAfterMs: 30 } },
  );
  try {
    const res = await post(t.detour.url, true);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /^event: ping/);
    await reader.cancel();
    await waitFor(() => aborted !== null, 3000, "the primary's request to end");
    assert.equal(aborted, true, "the held upstream request was left running");
    assert.equal(t.backup.received.length, 0);
    assert.ok(!t.detour.deps.cooldowns.all().has("p:primary"), "a client leaving cooled down");
  } finally {
    await t.close();
  }
});

Deno.test("held, then the same provider's content arrives: pings, then its whole stream", async () => {
  const answer = anthropicSse("late but fine", { model: MODEL });
  const t = await setup(
    () => {
      // message_start at once, the content well after the hold has begun (a margin, not a
      // timing assertion: a loaded machine may fire the 50 ms hold late).
      const body = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(enc.encode(answer[0]));
          await new Promise((r) => setTimeout(r, 1000));
          for (const e of answer.slice(1)) c.enqueue(enc.encode(e));
          c.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
    streams("from the backup"),
    { config: { pingAfterMs: 50 } },
  );
  try {
    const res = await post(t.detour.url, true);
    assert.equal(res.headers.get("x-detour-provider"), "pending");
    const { text } = await readTimed(res, performance.now());
    const pings = eventNames(text).indexOf("message_start");
    assert.ok(pings > 0, "no ping during the hold");
    assert.equal(text, PING_TEXT.repeat(pings) + answer.join(""));
    assert.equal(t.backup.received.length, 0);
  } finally {
    await t.close();
  }
});
