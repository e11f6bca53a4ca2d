/**
 * Request bodies cost memory only for callers who may use a provider, and only so much at once
 * (issue 12, item 3). The clients here declare 31 MiB bodies and send none of it: a Detour that
 * read bodies before deciding who may spend would wait for them (and, sent, hold them all).
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput } from "../lib/config/schema.ts";
import { BodiesBusy, BodyBudget, readBodyLimited } from "../lib/http/body.ts";
import {
  anthropicMessage,
  anthropicRefusal,
  closeAll,
  serve,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

const MIB = 1024 * 1024;
const DECLARED = 31 * MIB;
const ACCESS = "dtr_body_gate_access_key_0123456789";
const MODEL = "claude-sonnet-5";

/**
 * A mock Anthropic Messages API (https://docs.anthropic.com/en/api/messages: `x-api-key`
 * required, JSON body) counting its calls.
 */
function anthropicMock() {
  let calls = 0;
  const server = serve(async (req) => {
    calls++;
    const refused = anthropicRefusal(req);
    if (refused) return refused;
    return Response.json(anthropicMessage("ok", (await req.json()).model));
  });
  return { ...server, calls: () => calls };
}

/** A connection that declared a body of `declared` bytes and sent only its headers. */
interface Declared {
  /** The response's status and headers, or null when none came within `timeoutMs`. */
  head(timeoutMs?: number): Promise<{ status: number; headers: Headers } | null>;
  close(): void;
}

async function declareBody(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  declared = DECLARED,
): Promise<Declared> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = Object.entries({
    host: `127.0.0.1:${port}`,
    "content-type": "application/json",
    "content-length": String(declared),
    ...headers,
  }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(new TextEncoder().encode(`POST ${path} HTTP/1.1\r\n${lines}\r\n{"model":`));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  return {
    close,
    async head(timeoutMs = 5000) {
      // Bounded: the connection is closed after `timeoutMs`, which ends the read.
      const timer = setTimeout(close, timeoutMs);
      let text = "";
      const buf = new Uint8Array(4096);
      try {
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          if (n === null) break;
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
      } catch {
        return null;
      } finally {
        clearTimeout(timer);
      }
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return null;
      const [statusLine, ...rest] = text.slice(0, end).split("\r\n");
      const out = new Headers();
      for (const line of rest) {
        const i = line.indexOf(":");
        out.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      return { status: Number(statusLine.split(" ")[1]), headers: out };
    },
  };
}

async function setup(env: Record<string, string> = {}, passthrough = false) {
  const upstream = anthropicMock();
  const providers: ConfigInput["providers"] = [
    passthrough
      ? { id: "up", type: "anthropic", baseUrl: upstream.url, passthrough: true }
      : { id: "up", type: "anthropic", baseUrl: upstream.url, keys: ["sk-body-gate-stored-key"] },
  ];
  const detour = await startDetour({ providers }, env);
  return { detour, upstream, close: () => closeAll(detour, upstream) };
}

Deno.test("no credential: 24 clients declaring 31 MiB bodies are answered 401 without sending them", async () => {
  const t = await setup({ ACCESS_KEYS: ACCESS });
  const open: Declared[] = [];
  try {
    for (let i = 0; i < 24; i++) {
      const path = i % 3 === 0 ? "/v1/chat/completions" : "/v1/messages";
      open.push(
        await declareBody(t.detour.port, path, i % 2 ? { "x-api-key": "sk-not-ours" } : {}),
      );
    }
    const heads = await Promise.all(open.map((d) => d.head()));
    for (const [i, head] of heads.entries()) {
      assert.equal(head?.status, 401, `client ${i} waited for a body Detour should not read`);
    }
    // A wrong access key: 403, as before, and no body read either.
    const wrong = await declareBody(t.detour.port, "/v1/messages", { "x-detour-key": "dtr_wrong" });
    open.push(wrong);
    assert.equal((await wrong.head())?.status, 403);
    assert.equal(t.detour.deps.bodies?.inFlight, 0);
    assert.equal(t.upstream.calls(), 0);
  } finally {
    for (const d of open) d.close();
    await t.close();
  }
});

Deno.test("passthrough only: a caller without its own credential is answered 401 before its body", async () => {
  const t = await setup({}, true);
  const open: Declared[] = [];
  try {
    open.push(await declareBody(t.detour.port, "/v1/messages"));
    open.push(await declareBody(t.detour.port, "/v1/messages/count_tokens"));
    for (const d of open) assert.equal((await d.head())?.status, 401);
    assert.equal(t.upstream.calls(), 0);
  } finally {
    for (const d of open) d.close();
    await t.close();
  }
});

Deno.test("bodies being received at once are bounded: past the budget 529/503 with retry-after, small requests still fit", async () => {
  // No access key: loopback clients may spend, so their bodies are read. The default limit is
  // 32 MiB, so the budget is 128 MiB: four 31 MiB bodies hold 124 MiB of it.
  const t = await setup();
  const holders: Declared[] = [];
  try {
    for (let i = 0; i < 4; i++) holders.push(await declareBody(t.detour.port, "/v1/messages"));
    await waitFor(() => t.detour.deps.bodies?.inFlight === 4 * DECLARED, 5000, "4 bodies read");

    const fifth = await declareBody(t.detour.port, "/v1/messages");
    holders.push(fifth);
    const head = await fifth.head();
    assert.equal(head?.status, 529);
    assert.equal(head?.headers.get("retry-after"), "1");
    const chat = await declareBody(t.detour.port, "/v1/chat/completions");
    holders.push(chat);
    const chatHead = await chat.head();
    assert.equal(chatHead?.status, 503, "OpenAI clients retry a 503");
    assert.equal(chatHead?.headers.get("retry-after"), "1");

    // An ordinary request (well under the 4 MiB left) is served meanwhile.
    const client = new Anthropic({ baseURL: t.detour.url, apiKey: "unused", maxRetries: 0 });
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, "ok");
    assert.equal(t.upstream.calls(), 1);

    // Clients that give up return their share.
    for (const d of holders) d.close();
    await waitFor(() => t.detour.deps.bodies?.inFlight === 0, 5000, "the budget released");
  } finally {
    for (const d of holders) d.close();
    await t.close();
  }
});

Deno.test("BodyBudget: chunked bodies reserve as they arrive and give it all back", async () => {
  const budget = new BodyBudget(() => 1000);
  const chunked = (sizes: number[]) =>
    new Request("http://x/", {
      method: "POST",
      body: new ReadableStream({
        start(c) {
          for (const n of sizes) c.enqueue(new Uint8Array(n));
          c.close();
        },
      }),
    });
  assert.equal((await readBodyLimited(chunked([400, 400]), 10_000, budget)).byteLength, 800);
  assert.equal(budget.inFlight, 0);
  await assert.rejects(readBodyLimited(chunked([600, 600]), 10_000, budget), BodiesBusy);
  assert.equal(budget.inFlight, 0);
  // A declared length is reserved whole, before any byte is read.
  assert.ok(budget.take(900));
  const declared = new Request("http://x/", {
    method: "POST",
    headers: { "content-length": "200" },
    body: new Uint8Array(200),
  });
  await assert.rejects(readBodyLimited(declared, 10_000, budget), BodiesBusy);
  budget.give(900);
  assert.equal((await readBodyLimited(declared, 10_000, budget)).byteLength, 200);
  assert.equal(budget.inFlight, 0);
});
