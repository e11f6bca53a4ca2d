import assert from "node:assert/strict";
import { usageFromSse } from "./parse.ts";

const enc = new TextEncoder();
const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

Deno.test("usageFromSse: the last message_delta of the tail wins, pings and text passed over", () => {
  const head = [
    enc.encode(PING.repeat(50)),
    enc.encode(ev("message_start", {
      type: "message_start",
      message: { model: "claude-x", usage: { input_tokens: 10, output_tokens: 1 } },
    })),
  ];
  const tail = [
    // Cut at the front: not a whole event.
    'ta: {"type":"message_delta","usage":{"output_tokens":999}}\n\n',
    ev("message_delta", { type: "message_delta", usage: { output_tokens: 3 } }),
    // Text that names the event type is content, not a message_delta.
    ev("content_block_delta", {
      type: "content_block_delta",
      delta: { type: "text_delta", text: '"type":"message_delta"' },
    }),
    ev("message_delta", { type: "message_delta", usage: { output_tokens: 7 } }),
    PING,
    ev("message_stop", { type: "message_stop" }),
  ].join("");
  assert.deepEqual(usageFromSse(head, tail), {
    input: 10,
    output: 7,
    cacheRead: 0,
    cacheWrite: 0,
    model: "claude-x",
  });
  // A last message_delta without usage: the start's counts stand.
  const noUsage = tail.replace('"usage":{"output_tokens":7}', '"usage":null');
  assert.equal(usageFromSse(head, noUsage)?.output, 1);
  // CRLF line ends parse the same.
  assert.equal(usageFromSse(head, tail.replaceAll("\n", "\r\n"))?.output, 7);
  assert.equal(usageFromSse([enc.encode(PING)], PING), null);
});
