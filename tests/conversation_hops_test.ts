/**
 * A Claude Code session survives every hop: multi-turn tool sessions (the official SDK,
 * streaming and not, each assistant message replayed as Detour returned it) through Anthropic →
 * X → Anthropic, X → Anthropic and X alone, for X in Gemini 3 (OpenAI-compatible), DeepSeek V4
 * (OpenAI API) and DeepSeek's and Kimi's Anthropic endpoints, against mocks that enforce each
 * vendor's documented rules. Every turn succeeds, and each mock saw exactly the requests
 * `x-detour-attempts` lists; two instances sharing one KV give the same result.
 */
import assert from "node:assert/strict";
import type Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput, ProviderInput } from "../lib/config/schema.ts";
import { closeAll, type RunningDetour, startDetour } from "./helpers/harness.ts";
import { attemptProviders, runSession, type TurnResult } from "./helpers/claude_code_session.ts";
import type { Json, VendorMock } from "./helpers/vendor_mocks/common.ts";
import { anthropicMock } from "./helpers/vendor_mocks/anthropic_rules.ts";
import { anthropicCompatMock } from "./helpers/vendor_mocks/anthropic_compat.ts";
import { gemini3Mock } from "./helpers/vendor_mocks/gemini3.ts";
import { deepseekMock } from "./helpers/vendor_mocks/deepseek.ts";

/** Tool turns before the final text: 4 turns in all. */
const TOOL_TURNS = 3;

/** One fallback provider X: its mock and its provider config. */
interface Hop {
  name: string;
  mock: () => VendorMock;
  provider: (url: string) => ProviderInput;
}

const HOPS: Hop[] = [
  {
    name: "Gemini 3 (openai type)",
    mock: () => gemini3Mock({ toolTurns: TOOL_TURNS }),
    provider: (url) => ({
      id: "gemini",
      type: "openai",
      baseUrl: url,
      keys: ["AIza-test"],
      reasoning: "reasoning_effort",
      toolSchema: "gemini",
      modelMap: { "*": "gemini-3-pro-preview" },
    }),
  },
  {
    name: "DeepSeek V4 (openai type)",
    mock: () => deepseekMock({ toolTurns: TOOL_TURNS }),
    provider: (url) => ({
      id: "deepseek",
      type: "openai",
      baseUrl: url,
      keys: ["sk-test"],
      reasoningHistory: "reasoning_content",
      modelMap: { "*": "deepseek-v4-pro" },
    }),
  },
  {
    name: "DeepSeek (anthropic type)",
    mock: () => anthropicCompatMock("deepseek", { toolTurns: TOOL_TURNS }),
    provider: (url) => ({
      id: "deepseek-anthropic",
      type: "anthropic",
      baseUrl: url,
      keys: ["sk-test"],
      modelMap: { "*": "deepseek-v4-pro" },
    }),
  },
  {
    name: "Kimi (anthropic type)",
    mock: () => anthropicCompatMock("kimi", { toolTurns: TOOL_TURNS }),
    provider: (url) => ({
      id: "kimi",
      type: "anthropic",
      baseUrl: url,
      keys: ["sk-test"],
      modelMap: { "*": "kimi-k2.5" },
    }),
  },
];

/** Who serves each of the four turns: "a" the primary, "x" the fallback (after a 529). */
const SHAPES: Record<string, ("a" | "x")[]> = {
  "Anthropic → X → Anthropic": ["a", "x", "a", "a"],
  "X → Anthropic": ["x", "x", "a", "a"],
};

function config(providers: ProviderInput[]): ConfigInput {
  return { providers, cooldownSeconds: 0, circuitBreaker: { enabled: false } };
}

/** Every upstream request a mock saw is one `x-detour-attempts` lists, and none was refused. */
function assertAccounted(results: TurnResult[], mocks: Record<string, VendorMock>) {
  const listed = results.flatMap((r) => attemptProviders(r.attempts));
  for (const [id, mock] of Object.entries(mocks)) {
    assert.deepEqual(mock.refused, [], `${id} refused a request`);
    assert.equal(mock.received.length, listed.filter((p) => p === id).length, `${id}: ${listed}`);
  }
}

/** Runs one shape on `instances` Detours (sharing one KV when two). */
async function runShape(
  hop: Hop,
  shape: ("a" | "x")[] | null,
  stream: boolean,
  instances: 1 | 2,
  thinking?: Anthropic.ThinkingConfigParam,
): Promise<{ served: string[]; mocks: Record<string, VendorMock> }> {
  const primary = anthropicMock({ toolTurns: TOOL_TURNS });
  const fallback = hop.mock();
  const x = hop.provider(fallback.url);
  const providers: ProviderInput[] = shape
    ? [{ id: "anthropic", type: "anthropic", baseUrl: primary.url, keys: ["sk-ant-k"] }, x]
    : [x];
  const dir = instances === 2 ? await Deno.makeTempDir() : null;
  const detours: RunningDetour[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      detours.push(
        await startDetour(
          config(providers),
          {},
          dir ? await Deno.openKv(`${dir}/kv.sqlite`) : undefined,
        ),
      );
    }
    const results = await runSession(detours, {
      stream,
      thinking,
      maxTurns: TOOL_TURNS + 1,
      beforeTurn: (turn) => {
        if (shape?.[turn] === "x") primary.failNext();
      },
    });
    const mocks: Record<string, VendorMock> = { [x.id]: fallback };
    if (shape) mocks.anthropic = primary;
    assertAccounted(results, mocks);
    if (x.type === "anthropic") {
      // DeepSeek and Kimi keep thinking: foreign turns get a thinking block instead.
      assert.ok(fallback.received.every((b) => (b.thinking as Json)?.type !== "disabled"));
    }
    const served = results.map((r) => r.servedBy);
    assert.deepEqual(served, shape ? shape.map((s) => s === "a" ? "anthropic" : x.id) : served);
    if (!shape) assert.ok(served.every((p) => p === x.id));
    return { served, mocks };
  } finally {
    await closeAll(...detours, primary, fallback);
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

for (const hop of HOPS) {
  for (const stream of [false, true]) {
    const mode = stream ? "streaming" : "JSON";
    for (const [shapeName, shape] of Object.entries(SHAPES)) {
      Deno.test(`hops: ${shapeName}, X = ${hop.name}, ${mode}`, async () => {
        await runShape(hop, shape, stream, 1);
      });
    }
    Deno.test(`hops: X alone, X = ${hop.name}, ${mode}`, async () => {
      await runShape(hop, null, stream, 1);
    });
  }
  Deno.test(`hops: two instances sharing one KV alternate turns, X = ${hop.name}`, async () => {
    const shape = SHAPES["Anthropic → X → Anthropic"];
    const one = await runShape(hop, shape, true, 1);
    const two = await runShape(hop, shape, true, 2);
    assert.deepEqual(two.served, one.served);
    const xAlone = await runShape(hop, null, false, 2);
    assert.equal(xAlone.served.length, TOOL_TURNS + 1);
  });
}

Deno.test("hops: adaptive thinking (newer Claude Code) back on Anthropic after every X", async () => {
  for (const hop of HOPS) {
    await runShape(hop, SHAPES["Anthropic → X → Anthropic"], true, 1, { type: "adaptive" });
  }
});
