/** The pre-content gate's pure decisions: which 200 answers are no answer, and list paging. */
import assert from "node:assert/strict";
import { listPage } from "../http/list_page.ts";
import { peekAnthropicStream } from "../http/sse_peek.ts";
import { UNANSWERED_MAX_BYTES, unansweredMessage } from "./classify.ts";

const bytes = (v: unknown) =>
  new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const message = (content: unknown[], stop_reason: string | null) => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-5",
  content,
  stop_reason,
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 2 },
});

Deno.test("unansweredMessage: refusals and empty answers, not legitimate empty turns", () => {
  const text = [{ type: "text", text: "hi" }];
  assert.equal(unansweredMessage(bytes(message([], "refusal"))), "refusal");
  assert.equal(unansweredMessage(bytes(message([], null))), "empty");
  assert.equal(unansweredMessage(bytes({})), "empty");
  assert.equal(unansweredMessage(bytes("")), "empty");
  assert.equal(unansweredMessage(bytes("not json")), "empty");
  // Anthropic documents empty end_turn answers after tool results; a partial refusal has content.
  assert.equal(unansweredMessage(bytes(message([], "end_turn"))), null);
  assert.equal(unansweredMessage(bytes(message([], "max_tokens"))), null);
  assert.equal(unansweredMessage(bytes(message(text, "refusal"))), null);
  assert.equal(unansweredMessage(bytes(message(text, "end_turn"))), null);
  // Past the bound an answer is not parsed: it holds content.
  const big = message([{ type: "text", text: "x".repeat(UNANSWERED_MAX_BYTES) }], "end_turn");
  assert.equal(unansweredMessage(bytes(big)), null);
});

Deno.test("peekAnthropicStream: a refusal before content, and after it", async () => {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const start = ev("message_start", { type: "message_start", message: message([], null) });
  const refusal = ev("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "refusal", stop_sequence: null },
  });
  const block = ev("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  });
  const stream = (...events: string[]) =>
    new Response(events.join("")).body as ReadableStream<Uint8Array>;
  const early = await peekAnthropicStream(stream(start, ev("ping", { type: "ping" }), refusal));
  assert.equal(early.kind, "refusal");
  const late = await peekAnthropicStream(stream(start, block, refusal));
  assert.equal(late.kind, "content");
  if (late.kind === "content") await late.reader.cancel();
  if (early.kind === "refusal") await early.reader.cancel();
});

Deno.test("listPage: limit, after_id, before_id as Anthropic pages", () => {
  const items = ["a", "b", "c", "d", "e"].map((id) => ({ id }));
  const ids = (p: ReturnType<typeof listPage>) => "error" in p ? p.error : p.data.map((m) => m.id);
  const q = (s: string) => new URLSearchParams(s);
  assert.deepEqual(ids(listPage(items, q(""))), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(ids(listPage(items, q("limit=2"))), ["a", "b"]);
  assert.deepEqual(ids(listPage(items, q("limit=2&after_id=b"))), ["c", "d"]);
  assert.deepEqual(ids(listPage(items, q("limit=2&after_id=d"))), ["e"]);
  assert.deepEqual(ids(listPage(items, q("limit=2&before_id=c"))), ["a", "b"]);
  assert.deepEqual(ids(listPage(items, q("limit=2&before_id=e"))), ["c", "d"]);
  const last = listPage(items, q("limit=2&after_id=c"));
  assert.ok(!("error" in last) && last.has_more === false && last.first_id === "d");
  const more = listPage(items, q("limit=2"));
  assert.ok(!("error" in more) && more.has_more === true && more.last_id === "b");
  for (const bad of ["limit=0", "limit=1001", "limit=x", "limit=1.5"]) {
    assert.ok("error" in listPage(items, q(bad)), bad);
  }
});
