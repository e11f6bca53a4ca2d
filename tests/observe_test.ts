/**
 * The request summary (lib/observe/summary.ts) and what its sinks derive from it: the served
 * attempt found once, usage and traffic left out where they must be, and a sink that throws
 * never keeps the others from running. The sinks' end-to-end effects (log lines, KV writes,
 * metrics, webhook calls) are covered through Detour in observability_test, usage_test,
 * circuit_test and dashboard_series_test.
 */
import assert from "node:assert/strict";
import type { ClientContext } from "../lib/auth/client.ts";
import { ConfigSchema } from "../lib/config/schema.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import type { AttemptRecord, Done } from "../lib/fallback/engine.ts";
import type { InboundRequest } from "../lib/fallback/inbound.ts";
import { type Attempt, planAttempts } from "../lib/fallback/plan.ts";
import { createLogger } from "../lib/log.ts";
import { runSinks } from "../lib/observe/index.ts";
import { requestLogEntry } from "../lib/observe/request_log.ts";
import { type Answered, type RequestSummary, summarize } from "../lib/observe/summary.ts";
import { quotaTargets, trafficDelta, usageDelta } from "../lib/observe/usage.ts";

const client: ClientContext = {
  credential: { header: "x-api-key", value: "sk-ant-client-0000", hash: "ab".repeat(32) },
  authorized: true,
  accessKey: "ci",
  badAccessKey: false,
};

function inbound(over: Partial<InboundRequest> = {}): InboundRequest {
  const raw = new TextEncoder().encode('{"model":"claude-sonnet-5"}');
  return {
    id: "req-1",
    endpoint: "messages",
    search: "",
    headers: new Headers(),
    raw,
    json: { model: "claude-sonnet-5" },
    model: "claude-sonnet-5",
    stream: false,
    client,
    signal: new AbortController().signal,
    ...over,
  };
}

async function planned(): Promise<Attempt[]> {
  const chain = await compileChain(ConfigSchema.parse({
    providers: [
      { id: "anthropic", type: "anthropic", baseUrl: "https://a.example", passthrough: true },
      {
        id: "zai",
        type: "anthropic",
        baseUrl: "https://z.example",
        keys: ["k-one-0000000000"],
        modelMap: { "claude-*": "glm-4.6" },
      },
    ],
  }));
  return planAttempts(chain, "claude-sonnet-5", client, { get: () => undefined }).attempts;
}

const rec = (label: string, status: number | null, outcome: string, ms: number): AttemptRecord => ({
  label,
  provider: label.split("#")[0],
  status,
  outcome,
  ms,
});

const done: Done = {
  end: "complete",
  outcomes: [],
  usage: { input: 10, output: 5, cacheRead: 1, cacheWrite: 2, model: "glm-4.6-0520" },
};

function answered(status: number, servedBy: string | null, records: AttemptRecord[]): Answered {
  return { response: new Response(null, { status }), servedBy, attempts: records };
}

const input = async (route = "messages") => ({
  req: inbound(),
  route,
  planned: await planned(),
  timing: { ttfbMs: 40.4, ms: 120.6 },
  now: Date.UTC(2026, 0, 1),
});

Deno.test("summary: the served attempt is found once; key label, billing, tokens, model", async () => {
  const fellBack = answered(200, "zai", [
    rec("anthropic", 429, "fallback", 12.4),
    rec("zai", 200, "ok", 300.2),
  ]);
  const s = summarize(await input(), fellBack, done);
  assert.equal(s.served?.provider.id, "zai");
  assert.equal(s.keyLabel, "zai");
  assert.equal(s.billing, "api_key");
  assert.equal(s.modelServed, "glm-4.6-0520");
  assert.deepEqual(s.tokens, { input: 10, output: 5, cacheRead: 1, cacheWrite: 2 });
  assert.deepEqual(s.attempts, [
    { provider: "anthropic", status: 429, outcome: "fallback", ms: 12 },
    { provider: "zai", status: 200, outcome: "ok", ms: 300 },
  ]);

  // Served by the client's own credential: no key label; without usage, the model sent.
  const direct = summarize(
    await input(),
    answered(200, "anthropic", [rec("anthropic", 200, "ok", 5)]),
    { end: "complete", outcomes: [] },
  );
  assert.equal(direct.keyLabel, null);
  assert.equal(direct.modelServed, "claude-sonnet-5");
  assert.equal(direct.tokens, null);

  // The engine's own word on the served attempt wins over the label lookup.
  const plan = await planned();
  const named = summarize(await input(), { ...fellBack, served: plan[0] }, done);
  assert.equal(named.served, plan[0]);

  // Every attempt failed: nothing served, nothing billed.
  const failed = summarize(
    await input(),
    answered(529, null, [rec("anthropic", 529, "fallback", 3), rec("zai", 529, "fallback", 4)]),
    { end: "complete", outcomes: [] },
  );
  assert.equal(failed.served, undefined);
  assert.equal(failed.billing, null);
  assert.equal(failed.keyLabel, null);
});

Deno.test("summary sinks: usage only for served answers, count_tokens logged but not counted", async () => {
  const ok = answered(200, "zai", [rec("anthropic", 429, "fallback", 1), rec("zai", 200, "ok", 9)]);
  const s = summarize(await input(), ok, done);
  assert.equal(usageDelta(s)?.counts.input, 10);
  assert.equal(usageDelta(s)?.keyLabel, "zai");
  assert.equal(quotaTargets(s).length, 2);
  assert.deepEqual(trafficDelta(s), {
    at: s.at,
    fellBack: true,
    error: false,
    served: { provider: "zai", ms: 9 },
  });
  const entry = requestLogEntry(s, false);
  assert.equal(entry.time, "2026-01-01T00:00:00.000Z");
  assert.equal(entry.ttfbMs, 40);
  assert.equal(entry.ms, 121);
  assert.equal(entry.hasBodies, undefined);

  const counted = summarize(await input("count_tokens"), ok, done);
  assert.equal(usageDelta(counted), null);
  assert.equal(trafficDelta(counted), null);
  assert.equal(requestLogEntry(counted, true).hasBodies, true);

  const failed = summarize(await input(), answered(529, null, [rec("zai", 529, "fallback", 2)]), {
    end: "complete",
    outcomes: [],
  });
  assert.equal(usageDelta(failed), null);
  assert.deepEqual(quotaTargets(failed), []);
  assert.equal(trafficDelta(failed)?.error, true);
  assert.equal(trafficDelta(failed)?.served, null);
});

Deno.test("summary sinks: one that throws is logged by name; the rest still run", async () => {
  const lines: string[] = [];
  const deps = { logger: createLogger("info", (l) => lines.push(l)) };
  const seen: string[] = [];
  const s = summarize(
    await input(),
    answered(200, "anthropic", [rec("anthropic", 200, "ok", 5)]),
    done,
  );
  runSinks(deps, s, [
    { name: "first", sink: (_d, x: RequestSummary) => void seen.push(`first ${x.servedBy}`) },
    {
      name: "broken",
      sink: () => {
        throw new Error("boom");
      },
    },
    { name: "last", sink: (_d, x: RequestSummary) => void seen.push(`last ${x.status}`) },
  ]);
  assert.deepEqual(seen, ["first anthropic", "last 200"]);
  const warned = lines.map((l) => JSON.parse(l));
  assert.equal(warned.length, 1);
  assert.equal(warned[0].msg, "observing the request failed");
  assert.equal(warned[0].sink, "broken");
  assert.equal(warned[0].id, "req-1");
  assert.match(warned[0].err, /boom/);
});
