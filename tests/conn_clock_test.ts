import assert from "node:assert/strict";
import { ConnClock } from "../lib/server/conn_clock.ts";
import { connectionCap, parseSoftFdLimit } from "../lib/server/fd_limit.ts";
import { bodyFraming } from "../lib/server/listen.ts";

const limits = { headersMs: 1_000, bodyMs: 5_000, idleMs: 10_000 };
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("ConnClock: a fresh connection owes its head within the header timeout", () => {
  const clock = new ConnClock(0, limits);
  assert.equal(clock.deadline(), 1_000);
  // A byte every so often does not move the deadline (the slow-loris pattern).
  clock.received(bytes("GET / HT"), 500);
  clock.received(bytes("TP/1.1\r\nHost: x\r\n"), 900);
  assert.equal(clock.deadline(), 500 + 1_000, "timed from the request's first byte");
});

Deno.test("ConnClock: head, body, silent response, then idle", () => {
  const clock = new ConnClock(0, limits);
  const body = '{"model":"m"}';
  clock.received(bytes(`POST /v1/messages HTTP/1.1\r\ncontent-length: ${body.length}\r\n\r\n`), 10);
  assert.equal(clock.deadline(), 10 + 5_000, "the body is now due");
  clock.received(bytes(body.slice(0, 4)), 20);
  clock.requestStarted({ length: body.length }, 30);
  assert.equal(clock.deadline(), 10 + 5_000, "still owed the rest of the body");
  clock.received(bytes(body.slice(4)), 40);
  assert.equal(clock.deadline(), Infinity, "a response in progress is never timed here");
  assert.equal(clock.idle, false);
  clock.requestEnded(100_000);
  assert.equal(clock.deadline(), 100_000 + 10_000, "kept alive: the idle timeout");
  assert.equal(clock.idle, true);
  clock.received(bytes("G"), 100_500);
  assert.equal(clock.deadline(), 100_500 + 1_000, "the next request's head is timed again");
});

Deno.test("ConnClock: a head split across reads at the blank line, and a bodiless GET", () => {
  const clock = new ConnClock(0, limits);
  clock.received(bytes("GET /health HTTP/1.1\r\nhost: x\r\n\r"), 1);
  assert.equal(clock.deadline(), 1 + 1_000);
  clock.received(bytes("\n"), 2);
  clock.requestStarted({ length: 0 }, 3);
  assert.equal(clock.deadline(), Infinity);
});

Deno.test("ConnClock: a body that never completes keeps its deadline after the handler starts", () => {
  const clock = new ConnClock(0, limits);
  clock.received(bytes("POST / HTTP/1.1\r\ncontent-length: 100\r\n\r\nabc"), 50);
  clock.requestStarted({ length: 100 }, 60);
  assert.equal(clock.deadline(), 50 + 5_000);
  // The handler answered without reading the body; the client still owes it.
  clock.requestEnded(70);
  assert.equal(clock.deadline(), 50 + 5_000);
});

Deno.test("ConnClock: a chunked body ends at its last chunk", () => {
  const clock = new ConnClock(0, limits);
  clock.received(bytes("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n4\r\nab"), 5);
  clock.requestStarted("chunked", 6);
  assert.equal(clock.deadline(), 5 + 5_000);
  clock.received(bytes("cd\r\n0\r\n\r\n"), 7);
  assert.equal(clock.deadline(), Infinity);
});

Deno.test("ConnClock: HTTP/2 prior knowledge is timed by streams in flight only", () => {
  const clock = new ConnClock(0, limits);
  clock.received(bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 5);
  assert.equal(clock.deadline(), 5 + 10_000);
  clock.requestStarted({ length: 0 }, 6);
  clock.received(new Uint8Array([0, 0, 4, 8, 0]), 7);
  assert.equal(clock.deadline(), Infinity);
  clock.requestEnded(50);
  assert.equal(clock.deadline(), 50 + 10_000);
});

Deno.test("descriptor limit: the soft limit read from /proc/self/limits sets the cap", () => {
  const limits = [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max open files            1024                 524288               files     ",
  ].join("\n");
  assert.equal(parseSoftFdLimit(limits), 1024);
  assert.equal(parseSoftFdLimit("Max open files  unlimited  unlimited  files"), null);
  assert.equal(connectionCap(1024), 240, "(1024 - 64 reserved) / 4 descriptors per connection");
  assert.equal(connectionCap(256), 48);
  assert.equal(connectionCap(1_000_000), 4096, "capped for memory");
  assert.equal(connectionCap(1024, 10), 10, "MAX_CONNECTIONS wins");
  assert.equal(connectionCap(null), 48, "unknown: assume 256");
});

Deno.test("bodyFraming: content-length, chunked, or none", () => {
  const req = (headers: Record<string, string>) =>
    new Request("http://x/", { method: "POST", headers });
  assert.deepEqual(bodyFraming(req({ "content-length": "12" })), { length: 12 });
  assert.equal(bodyFraming(req({ "transfer-encoding": "chunked" })), "chunked");
  assert.deepEqual(bodyFraming(req({})), { length: 0 });
});
