/**
 * What current Claude Code sends (docs/clients.md), carried as Anthropic expects it: the
 * gateway hint headers and agent ids, new betas and body fields reach a passthrough Anthropic
 * provider byte for byte; `GET /v1/models` pages with `limit` and names models as the upstream
 * does. The mock lists models as https://docs.anthropic.com/en/api/models-list documents.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicMessage,
  anthropicSse,
  closeAll,
  mockUpstream,
  sseResponse,
  startDetour,
} from "./helpers/harness.ts";

const CLIENT_KEY = "sk-ant-api03-current-client-key-0123456789";
const MODEL = "claude-opus-4-8";

/** Headers Claude Code 2.1.273+ sends (hint headers with CLAUDE_CODE_GATEWAY_HINT_HEADERS=1). */
const CLAUDE_CODE_HEADERS = {
  "x-app": "cli",
  "user-agent": "claude-cli/2.1.288 (external, cli)",
  "x-claude-code-session-id": "5f0c1e9a-2b7d-4c1e-9a55-0d9b1c2e3f40",
  "x-claude-code-agent-id": "a59b34e81ead5b800",
  "x-claude-code-parent-agent-id": "main",
  "x-claude-code-request-class": "subagent",
  "x-claude-code-agent-type": "Explore",
  "x-claude-code-prompt-id": "0b7e9a52-6f0d-4a43-8f36-2c1d4e5f6a7b",
  "x-claude-code-prev-tool-durations": "Read=7,Bash=1200",
  "x-claude-code-compaction": "false",
  "x-claude-code-context-compacted": "false",
  "anthropic-beta": [
    "claude-code-20250219",
    "interleaved-thinking-2025-05-14",
    "context-management-2025-06-27",
    "redact-thinking-2026-02-12",
    "server-side-fallback-2026-06-01",
    "fallback-credit-2026-06-01",
    "fast-mode-2026-02-01",
    "mid-conversation-tool-changes-2026-07-01",
    "mid-conversation-system-2026-04-07",
  ].join(","),
};

/** A Claude Code-shaped turn with the newer body fields, in an order JSON.parse would keep. */
const TURN = {
  model: MODEL,
  max_tokens: 64000,
  speed: "fast",
  fallbacks: [{ model: "claude-sonnet-5" }],
  thinking: { type: "adaptive" },
  context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
  output_config: { effort: "high", task_budget: { type: "tokens", total: 20000 } },
  tools: [
    {
      name: "Read",
      description: "Reads a file",
      input_schema: { type: "object", properties: { path: { type: "string" } } },
      defer_loading: true,
      strict: true,
    },
  ],
  messages: [
    { role: "user", content: "find the config loader" },
    {
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_01", name: "ToolSearch", input: { q: "read" } }],
    },
    {
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "toolu_01",
          content: [{ type: "tool_reference", tool_name: "Read" }],
        },
        { type: "text", text: "go on", cache_control: { type: "ephemeral", scope: "global" } },
      ],
    },
    // Mid-conversation tool changes: blocks of a late `role: "system"` message
    // (https://platform.claude.com/docs/en/build-with-claude/preserved-thinking).
    {
      role: "system",
      content: [
        {
          type: "tool_addition",
          tool: {
            type: "tool_definition",
            definition: { name: "Grep", input_schema: { type: "object", properties: {} } },
          },
        },
        { type: "tool_removal", tool: { type: "tool_reference", name: "WebFetch" } },
      ],
    },
  ],
};

/** A passthrough Anthropic mock that records each request and answers stream or JSON. */
function anthropicUpstream() {
  return mockUpstream((_req, body) =>
    JSON.parse(body).stream
      ? sseResponse(anthropicSse("ok", { model: MODEL }))
      : Response.json(anthropicMessage("ok", MODEL))
  );
}

/** An SDK client whose every request (query string and body) is captured as sent. */
function capturingClient(baseURL: string, sent: { search: string; body: string }[]) {
  return new Anthropic({
    baseURL,
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    defaultHeaders: CLAUDE_CODE_HEADERS,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const search = new URL(input instanceof Request ? input.url : String(input)).search;
      if (typeof init?.body === "string") sent.push({ search, body: init.body });
      return fetch(input, init);
    },
  });
}

for (const stream of [false, true]) {
  Deno.test(`Claude Code's newer headers, betas and body fields reach Anthropic unchanged (stream: ${stream})`, async () => {
    const upstream = anthropicUpstream();
    const detour = await startDetour({
      providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
    });
    try {
      const sent: { search: string; body: string }[] = [];
      const client = capturingClient(detour.url, sent);
      // The SDK types lag behind Claude Code's fields: the body goes out as given.
      const body = TURN as unknown as Anthropic.Beta.MessageCreateParamsNonStreaming;
      if (stream) {
        const final = await client.beta.messages.stream(body).finalMessage();
        assert.equal(final.content[0].type, "text");
      } else {
        // Claude Code's non-streaming retry sends the same 64000 max_tokens; the SDK wants a
        // timeout named for that.
        const msg = await client.beta.messages.create(body, { timeout: 60_000 });
        assert.equal(msg.content[0].type, "text");
      }
      assert.equal(upstream.received.length, 1);
      const got = upstream.received[0];
      assert.equal(got.body, sent[0].body, "the body changed on its way");
      assert.equal(got.search, sent[0].search);
      for (const [name, value] of Object.entries(CLAUDE_CODE_HEADERS)) {
        assert.equal(got.headers.get(name), value, name);
      }
      // SDK 1.x sends its key as a Bearer credential, 0.x as x-api-key: either passes as sent.
      const credential = got.headers.get("x-api-key") ?? got.headers.get("authorization") ?? "";
      assert.ok(credential.endsWith(CLIENT_KEY), "the client's credential did not pass");
    } finally {
      await closeAll(detour, upstream);
    }
  });
}

/** An Anthropic models list of `n` models, newest first, each with its own display name. */
function modelsUpstream(n: number) {
  const models = Array.from({ length: n }, (_, i) => ({
    type: "model",
    id: `claude-test-${i}`,
    display_name: `Claude Test ${i}`,
    created_at: `2026-0${1 + (i % 9)}-01T00:00:00Z`,
  }));
  return mockUpstream((req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/v1/models") return new Response("not found", { status: 404 });
    const limit = Number(url.searchParams.get("limit") ?? 20);
    const data = models.slice(0, limit);
    return Response.json({
      data,
      has_more: limit < models.length,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  });
}

Deno.test("GET /v1/models?limit=1000: every model with the upstream's display_name", async () => {
  const upstream = modelsUpstream(30);
  const detour = await startDetour({
    providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
  });
  try {
    const res = await fetch(`${detour.url}/v1/models?limit=1000`, {
      headers: {
        "anthropic-version": "2023-06-01",
        "x-api-key": CLIENT_KEY,
        authorization: `Bearer ${CLIENT_KEY}`,
      },
      redirect: "manual",
    });
    assert.equal(res.status, 200);
    const list = await res.json();
    assert.equal(list.data.length, 30);
    assert.equal(list.has_more, false);
    assert.deepEqual(list.data[3], {
      type: "model",
      id: "claude-test-3",
      display_name: "Claude Test 3",
      created_at: "2026-04-01T00:00:00Z",
    });
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("GET /v1/models honours limit and the cursors; the SDK pages through all", async () => {
  const upstream = modelsUpstream(5);
  const detour = await startDetour({
    providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
  });
  const get = (query: string) =>
    fetch(`${detour.url}/v1/models${query}`, {
      headers: { "anthropic-version": "2023-06-01", "x-api-key": CLIENT_KEY },
    });
  const ids = (list: { data: { id: string }[] }) => list.data.map((m) => m.id);
  try {
    const first = await (await get("?limit=2")).json();
    assert.deepEqual(ids(first), ["claude-test-0", "claude-test-1"]);
    assert.equal(first.has_more, true);
    assert.equal(first.last_id, "claude-test-1");
    const next = await (await get("?limit=2&after_id=claude-test-1")).json();
    assert.deepEqual(ids(next), ["claude-test-2", "claude-test-3"]);
    const before = await (await get("?limit=2&before_id=claude-test-4")).json();
    assert.deepEqual(ids(before), ["claude-test-2", "claude-test-3"]);
    assert.equal(before.has_more, true);

    const bad = await get("?limit=0");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.type, "invalid_request_error");

    const client = new Anthropic({ baseURL: detour.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 2 })) {
      all.push(m.id);
      if (all.length > 20) break;
    }
    assert.deepEqual(all, [0, 1, 2, 3, 4].map((i) => `claude-test-${i}`));
  } finally {
    await closeAll(detour, upstream);
  }
});

Deno.test("Claude Code's startup probes (HEAD /api/hello, HEAD /) get an empty 200, no upstream call", async () => {
  const upstream = anthropicUpstream();
  const detour = await startDetour({
    providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
  });
  try {
    for (const path of ["/api/hello", "/"]) {
      const res = await fetch(`${detour.url}${path}`, {
        method: "HEAD",
        headers: { "user-agent": CLAUDE_CODE_HEADERS["user-agent"], "x-api-key": CLIENT_KEY },
      });
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), "", path);
    }
    assert.equal(upstream.received.length, 0);
  } finally {
    await closeAll(detour, upstream);
  }
});
