/** The fallback rules, watched in process: the engine with a fetch stub, no sockets. */
import assert from "node:assert/strict";
import type { ProviderInput } from "../config/schema.ts";
import {
  apiError,
  engineFixture,
  event,
  json,
  sse,
  type Upstream,
} from "../../tests/helpers/engine_fixture.ts";

const PRIMARY: ProviderInput = {
  id: "primary",
  type: "anthropic",
  baseUrl: "https://primary.test",
  keys: ["key-primary-one-000", "key-primary-two-000"],
};
const BACKUP: ProviderInput = {
  id: "backup",
  type: "anthropic",
  baseUrl: "https://backup.test",
  keys: ["key-backup-0000000"],
};
const message = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "hello" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 3, output_tokens: 2 },
};
const host = (r: Request) => new URL(r.url).hostname;
/** `primary` answers with `answer`, `backup` with a message. */
const primaryThen = (answer: Upstream): Upstream => (r, n) =>
  host(r) === "primary.test" ? answer(r, n) : json(message);
const streamed = [
  event("message_start", { type: "message_start", message: { ...message, content: [] } }),
  event("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  }),
  event("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "streamed hello" },
  }),
];
const overloaded = event("error", {
  type: "error",
  error: { type: "overloaded_error", message: "Overloaded" },
});
const hangUntilAborted = (r: Request) =>
  new Promise<Response>((_, reject) =>
    r.signal.addEventListener("abort", () => reject(r.signal.reason), { once: true })
  );

Deno.test("engine: a fallback status goes on to the next provider, which serves", async () => {
  const t = await engineFixture(
    [PRIMARY, BACKUP],
    primaryThen(() => apiError(529, "overloaded_error", "busy")),
  );
  try {
    const result = await t.run();
    assert.equal(result.response.status, 200);
    assert.deepEqual(await result.response.json(), message);
    assert.equal(result.servedBy, "backup");
    assert.equal(result.served?.label, "backup");
    assert.equal(result.response.headers.get("x-detour-provider"), "backup");
    assert.deepEqual(result.attempts.map((a) => [a.provider, a.status, a.outcome]), [
      ["primary", 529, "fallback"],
      ["backup", 200, "ok"],
    ]);
    // A provider-wide failure (529) skips the provider's other key.
    assert.equal(t.calls.length, 2);
  } finally {
    t.close();
  }
});

Deno.test("engine: any other 4xx is the client's answer at once", async () => {
  const t = await engineFixture(
    [PRIMARY, BACKUP],
    primaryThen(() => apiError(400, "invalid_request_error", "max_tokens: required")),
  );
  try {
    const result = await t.run();
    assert.equal(result.response.status, 400);
    assert.match(await result.response.text(), /max_tokens: required/);
    assert.deepEqual(result.attempts.map((a) => a.outcome), ["final"]);
    assert.equal(t.calls.length, 1);
    assert.equal(t.cooled.size, 0);
  } finally {
    t.close();
  }
});

Deno.test("engine: a credential-scope status cools the key; a provider-scope one the provider", async () => {
  const keyScoped = await engineFixture(
    [PRIMARY, BACKUP],
    (_r, n) => n === 1 ? apiError(429, "rate_limit_error", "slow down") : json(message),
  );
  try {
    const result = await keyScoped.run();
    assert.equal(result.servedBy, "primary", "the provider's other key serves");
    assert.deepEqual([...keyScoped.cooled.keys()].map((k) => k.slice(0, 10)), ["k:primary:"]);
    assert.deepEqual(keyScoped.calls.map(host), ["primary.test", "primary.test"]);
  } finally {
    keyScoped.close();
  }
  const providerScoped = await engineFixture(
    [PRIMARY, BACKUP],
    primaryThen(() => apiError(500, "api_error", "boom")),
  );
  try {
    const result = await providerScoped.run();
    assert.equal(result.servedBy, "backup");
    assert.deepEqual([...providerScoped.cooled.keys()], ["p:primary"]);
    assert.deepEqual(providerScoped.calls.map(host), ["primary.test", "backup.test"]);
  } finally {
    providerScoped.close();
  }
});

Deno.test("engine: a timeout aborts the upstream fetch and falls back", async () => {
  let aborted = false;
  const t = await engineFixture(
    [{ ...PRIMARY, timeoutMs: 100 }, BACKUP],
    (r) => {
      if (host(r) !== "primary.test") return sse([...streamed, event("message_stop", {})]);
      return hangUntilAborted(r).finally(() => aborted = r.signal.aborted);
    },
  );
  try {
    const result = await t.run({ stream: true });
    assert.equal(result.servedBy, "backup");
    assert.ok(aborted, "the hung fetch saw its signal abort");
    assert.equal(result.attempts[0].outcome, "timeout");
    assert.ok(t.cooled.has("p:primary"));
    await result.response.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("engine: a network error falls back and cools the provider", async () => {
  const t = await engineFixture(
    [PRIMARY, BACKUP],
    primaryThen(() => {
      throw new TypeError("connection refused");
    }),
  );
  try {
    const result = await t.run();
    assert.equal(result.servedBy, "backup");
    assert.equal(result.attempts[0].outcome, "network");
    assert.match(result.attempts[0].error ?? "", /network error: connection refused/);
    assert.ok(t.cooled.has("p:primary"));
  } finally {
    t.close();
  }
});

Deno.test("engine: a stream error before any content falls back", async () => {
  const t = await engineFixture(
    [PRIMARY, BACKUP],
    (r) =>
      host(r) === "primary.test"
        ? sse([streamed[0], overloaded])
        : sse([...streamed, event("message_stop", {})]),
  );
  try {
    const result = await t.run({ stream: true });
    assert.equal(result.servedBy, "backup");
    assert.deepEqual(result.attempts.map((a) => [a.status, a.outcome]), [
      [529, "stream_error"],
      [200, "ok"],
    ]);
    assert.match(result.response.headers.get("x-detour-attempts")!, /stream_error:529/);
    assert.match(await result.response.text(), /streamed hello/);
  } finally {
    t.close();
  }
});

Deno.test("engine: no silent fallback once content has gone to the client", async () => {
  const t = await engineFixture([PRIMARY, BACKUP], () => sse([...streamed, overloaded]));
  try {
    const result = await t.run({ stream: true });
    assert.equal(result.servedBy, "primary");
    const text = await result.response.text();
    assert.match(text, /streamed hello/);
    assert.match(text, /event: error/);
    assert.equal(t.calls.length, 1, "the backup is never asked");
    assert.equal((await result.done).end, "upstream_error");
  } finally {
    t.close();
  }
});

Deno.test("engine: a client that leaves cools nothing down", async () => {
  const client = new AbortController();
  const t = await engineFixture([PRIMARY, BACKUP], (r) => {
    const hung = hangUntilAborted(r);
    client.abort();
    return hung;
  });
  try {
    const result = await t.run({ signal: client.signal });
    assert.equal(result.response.status, 499);
    assert.deepEqual(result.attempts.map((a) => a.outcome), ["client_closed"]);
    assert.equal(t.cooled.size, 0);
    assert.equal(t.calls.length, 1);
  } finally {
    t.close();
  }
});

Deno.test("engine: when everything is cooling, all are still tried, soonest first", async () => {
  const now = Date.now();
  const cooling = new Map([
    ["p:primary", { until: now + 50_000 }],
    ["p:backup", { until: now + 10_000 }],
  ]);
  const t = await engineFixture([PRIMARY, BACKUP], () => apiError(503, "api_error", "down"));
  try {
    const result = await t.run({ cooling, now });
    assert.deepEqual(t.calls.map(host), ["backup.test", "primary.test"]);
    assert.equal(result.response.status, 503);
  } finally {
    t.close();
  }
});

Deno.test("engine: all failed answers with the first upstream error, else 502 or 529", async () => {
  const first = await engineFixture(
    [PRIMARY, BACKUP],
    (r) =>
      host(r) === "primary.test"
        ? apiError(429, "rate_limit_error", "primary says slow down", { "retry-after": "3" })
        : apiError(503, "api_error", "backup down"),
  );
  try {
    const result = await first.run();
    assert.equal(result.response.status, 429);
    assert.match(await result.response.text(), /primary says slow down/);
    assert.equal(result.response.headers.get("x-detour-provider"), "none");
    assert.equal(result.served, null);
    assert.equal(result.attempts.length, 3);
  } finally {
    first.close();
  }
  const network = await engineFixture([PRIMARY, BACKUP], () => {
    throw new TypeError("unreachable");
  });
  try {
    const result = await network.run();
    assert.equal(result.response.status, 502);
    assert.match(await result.response.text(), /every provider failed/);
  } finally {
    network.close();
  }
  const hung = await engineFixture(
    [{ ...PRIMARY, timeoutMs: 100 }, { ...BACKUP, timeoutMs: 100 }],
    hangUntilAborted,
  );
  try {
    const result = await hung.run({ stream: true });
    assert.equal(result.response.status, 529);
  } finally {
    hung.close();
  }
});

Deno.test("engine: two apps in one process share no state (key rotation per app)", async () => {
  const a = await engineFixture([PRIMARY], () => json(message));
  const b = await engineFixture([PRIMARY], () => json(message));
  try {
    const key = (t: typeof a) => t.calls.at(-1)!.headers.get("x-api-key");
    await a.run();
    await a.run();
    await b.run();
    assert.deepEqual([key(a), key(b)], ["key-primary-two-000", "key-primary-one-000"]);
  } finally {
    a.close();
    b.close();
  }
});
