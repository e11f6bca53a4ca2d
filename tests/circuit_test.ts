/**
 * Circuit breaker: the board's transitions on a clock the test sets, the attempt order it gives
 * the plan, and a real Detour (mock upstreams on 127.0.0.1, the Anthropic SDK) going
 * closed -> degraded -> open -> half-open -> closed.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { ClientContext } from "../lib/auth/client.ts";
import { type Config, ConfigSchema } from "../lib/config/schema.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import {
  attemptSignal,
  CircuitBoard,
  type CircuitTransition,
} from "../lib/fallback/circuit_board.ts";
import type { AttemptRecord } from "../lib/fallback/engine.ts";
import { type CircuitLookup, planAttempts } from "../lib/fallback/plan.ts";
import { listCircuits } from "../lib/store/circuit_store.ts";
import { liveState } from "../islands/parts/ui.tsx";
import type { ProviderStatus, Store } from "../islands/parts/store.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  mockUpstream,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

const configWith = (circuitBreaker: Record<string, unknown>): Config =>
  ConfigSchema.parse({
    providers: [{ id: "a", type: "anthropic", baseUrl: "https://a.example", keys: ["k"] }],
    circuitBreaker,
  });

const rec = (provider: string, status: number | null, outcome: string): AttemptRecord => ({
  label: provider,
  provider,
  status,
  outcome,
  ms: 5,
});

Deno.test("breaker: closed -> degraded -> open -> half-open -> closed / re-open, on a set clock", async () => {
  const kv = await Deno.openKv(":memory:");
  const config = configWith({ degradedAfter: 3, openAfter: 5, openSeconds: 10 });
  let now = 1_000_000;
  const seen: CircuitTransition[] = [];
  const board = new CircuitBoard(kv, {
    config: () => config,
    now: () => now,
    syncMs: 60_000,
    onTransition: (t) => seen.push(t),
  });
  const step = () => seen.map((t) => `${t.from}>${t.to}`);
  try {
    board.record("a", false);
    board.record("a", false);
    assert.equal(board.get("a").state, "closed");
    // A count without a transition is written in a batch, not per request.
    assert.equal((await listCircuits(kv)).size, 0);
    await board.flush();
    assert.equal((await listCircuits(kv)).get("a")?.failures, 2);
    assert.equal(board.admit("a"), "healthy");
    board.record("a", false);
    assert.equal(board.get("a").state, "degraded");
    assert.equal(board.admit("a"), "degraded");
    board.record("a", false);
    board.record("a", false);
    assert.equal(board.get("a").state, "open");
    assert.equal(board.get("a").failures, 5);
    assert.equal(board.admit("a"), "open");
    now += 9_999;
    assert.equal(board.admit("a"), "open", "still inside its cooldown");
    now += 1;
    assert.equal(board.admit("a"), "probe", "one request goes as the half-open probe");
    assert.equal(board.get("a").state, "half_open");
    assert.equal(board.admit("a"), "open", "only one probe at a time");
    board.record("a", true);
    assert.equal(board.get("a").state, "closed");
    assert.equal(board.get("a").failures, 0);
    assert.deepEqual(step(), [
      "closed>degraded",
      "degraded>open",
      "open>half_open",
      "half_open>closed",
    ]);

    // Open again; this time the probe fails: open, with a fresh cooldown.
    for (let i = 0; i < 5; i++) board.record("a", false);
    now += 10_000;
    assert.equal(board.admit("a"), "probe");
    board.record("a", false);
    assert.equal(board.get("a").state, "open");
    assert.equal(board.get("a").probeAfter, now + 10_000);
    assert.equal(board.admit("a"), "open");
    // A probe that never reports (an earlier provider answered) lapses after one cooldown.
    now += 10_000;
    assert.equal(board.admit("a"), "probe");
    now += 10_000;
    assert.equal(board.admit("a"), "probe");
    assert.deepEqual(step().slice(4), [
      "closed>degraded",
      "degraded>open",
      "open>half_open",
      "half_open>open",
      "open>half_open",
    ]);

    // Shared through KV: another instance sees the state after its background sync.
    await board.flush();
    const other = new CircuitBoard(kv, { config: () => config, now: () => now });
    await other.sync();
    assert.equal(other.get("a").state, "half_open");
    assert.equal(other.all().size, 1);

    // Turned off: everything is healthy.
    const off = configWith({ enabled: false });
    const idle = new CircuitBoard(kv, { config: () => off, now: () => now });
    await idle.sync();
    assert.equal(idle.admit("a"), "healthy");
  } finally {
    await board.flush();
    kv.close();
  }
});

Deno.test("breaker: what counts; a refused or rate-limited credential and a hang-up do not", async () => {
  assert.equal(attemptSignal(rec("a", 200, "ok")), true);
  assert.equal(attemptSignal(rec("a", 400, "final")), true);
  assert.equal(attemptSignal(rec("a", 500, "fallback")), false);
  assert.equal(attemptSignal(rec("a", 529, "stream_error")), false);
  assert.equal(attemptSignal(rec("a", null, "timeout")), false);
  assert.equal(attemptSignal(rec("a", null, "network")), false);
  assert.equal(attemptSignal(rec("a", 429, "fallback")), null);
  assert.equal(attemptSignal(rec("a", 401, "fallback")), null);
  assert.equal(attemptSignal(rec("a", null, "client_closed")), null);

  const kv = await Deno.openKv(":memory:");
  const board = new CircuitBoard(kv, {
    config: () => configWith({ degradedAfter: 1, openAfter: 2 }),
  });
  try {
    // A stream that broke after it was served counts against the provider that served it.
    board.observe([rec("a", 500, "fallback"), rec("b", 200, "ok")], "broken");
    assert.equal(board.get("a").state, "degraded");
    assert.equal(board.get("b").state, "degraded");
    board.observe([rec("b", 200, "ok")], "complete");
    assert.equal(board.get("b").state, "closed");
  } finally {
    await board.flush();
    kv.close();
  }
});

Deno.test("plan: healthy first, then degraded, then cooling; open left out unless nothing else", async () => {
  const chain = await compileChain(ConfigSchema.parse({
    providers: ["p1", "p2", "p3", "p4"].map((id) => ({
      id,
      type: "anthropic",
      baseUrl: `https://${id}.example`,
      keys: [`${id}-key-0000000000`],
    })),
  }));
  const client: ClientContext = {
    credential: null,
    authorized: true,
    accessKey: null,
    badAccessKey: false,
  };
  const now = 5_000_000;
  const states: Record<string, ReturnType<CircuitLookup["admit"]>> = {
    p1: "degraded",
    p2: "open",
    p3: "healthy",
    p4: "probe",
  };
  const circuits: CircuitLookup = { admit: (id) => states[id] };
  const cooling = new Map([["p:p3", { until: now + 1000 }]]);
  const order = (cd: Map<string, { until: number }>) =>
    planAttempts(chain, "m", client, { get: (t) => cd.get(t) }, now, circuits).attempts.map((a) =>
      a.provider.id
    );
  assert.deepEqual(order(new Map()), ["p3", "p4", "p1"]);
  assert.deepEqual(order(cooling), ["p4", "p1", "p3"]);
  for (const id of Object.keys(states)) states[id] = "open";
  assert.deepEqual(order(new Map()), ["p1", "p2", "p3", "p4"], "all open: try them anyway");
});

Deno.test("breaker through Detour: degraded goes second, open is skipped, a probe closes it", async () => {
  let primaryFails = true;
  let backupFails = false;
  const primary = mockUpstream((_r, body) =>
    primaryFails
      ? anthropicErrorResponse(500, "api_error", "primary is down")
      : Response.json(anthropicMessage("from primary", JSON.parse(body).model))
  );
  const backup = mockUpstream((_r, body) =>
    backupFails
      ? anthropicErrorResponse(503, "overloaded_error", "backup is busy")
      : Response.json(anthropicMessage("from backup", JSON.parse(body).model))
  );
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: ["sk-backup-0123456789"] },
    ],
    cooldownSeconds: 0, // only the breaker reorders the chain here
    circuitBreaker: { degradedAfter: 2, openAfter: 3, openSeconds: 1 },
  });
  const client = new Anthropic({
    baseURL: detour.url,
    apiKey: "sk-ant-api03-client-0123456789",
    maxRetries: 0,
  });
  const ask = async () => {
    try {
      const { response } = await client.messages.create({
        model: "claude-sonnet-5",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      }).withResponse();
      return response.headers.get("x-detour-attempts")!.replace(/ \d+ms/g, "");
    } catch (err) {
      if (err instanceof Anthropic.APIError) {
        return err.headers?.get("x-detour-attempts")?.replace(/ \d+ms/g, "") ?? "";
      }
      throw err;
    }
  };
  const state = () => detour.deps.circuits.get("primary").state;
  try {
    assert.equal(await ask(), "primary 500, backup 200");
    assert.equal(await ask(), "primary 500, backup 200");
    await waitFor(() => state() === "degraded", 2000, "degraded");
    assert.equal(await ask(), "backup 200", "degraded: tried after the healthy backup");
    // The details (circuits) are for the operator: they need the admin token.
    const health = await (await fetch(`${detour.url}/health`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    })).json();
    assert.deepEqual(
      health.coolingDown.map((c: { id: string; circuit: string }) => [c.id, c.circuit]),
      [["primary", "degraded"]],
    );

    backupFails = true;
    assert.equal(await ask(), "backup 503, primary 500");
    await waitFor(() => state() === "open", 2000, "open");
    backupFails = false;
    const primaryCalls = primary.received.length;
    assert.equal(await ask(), "backup 200", "open: skipped");
    assert.equal(primary.received.length, primaryCalls);

    const status = await (await fetch(`${detour.url}/admin/api/status`, {
      headers: { authorization: `Bearer ${detour.adminToken}` },
    })).json();
    const p = status.providers.find((x: { id: string }) => x.id === "primary");
    assert.equal(p.circuit.state, "open");
    assert.equal(p.circuit.failures, 3);

    // After its cooldown one request probes it; the primary has recovered, so it closes.
    primaryFails = false;
    await new Promise((r) => setTimeout(r, 1050));
    assert.equal(await ask(), "primary 200");
    await waitFor(() => state() === "closed", 2000, "closed");
    assert.equal(await ask(), "primary 200");

    const transitions = detour.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "circuit")
      .map((l) => `${l.provider} ${l.from}>${l.to}`);
    assert.deepEqual(transitions, [
      "primary closed>degraded",
      "primary degraded>open",
      "primary open>half_open",
      "primary half_open>closed",
    ]);
  } finally {
    await detour.close();
    await primary.close();
    await backup.close();
  }
});

Deno.test("admin page: a provider's badge says degraded, open or half-open", () => {
  const now = "2026-11-21T20:00:00.000Z";
  const store = { mounted: { value: false }, data: { now } } as unknown as Store;
  const status = (circuit: Partial<ProviderStatus["circuit"]>) =>
    ({
      enabled: true,
      cooling: null,
      keys: [],
      lastOkAt: now,
      circuit: { state: "closed", failures: 0, openedAt: null, probeAfter: null, ...circuit },
    }) as unknown as ProviderStatus;
  assert.equal(liveState(store, status({}), true).kind, "healthy");
  const degraded = liveState(store, status({ state: "degraded", failures: 3 }), true);
  assert.deepEqual([degraded.kind, degraded.label], [
    "failing",
    "degraded: tried after healthy providers",
  ]);
  const open = liveState(
    store,
    status({ state: "open", failures: 5, probeAfter: "2026-11-21T20:00:30.000Z" }),
    true,
  );
  assert.equal(open.label, "circuit open: skipped");
  assert.equal(open.detail, "5 failures in a row · next probe in 30 s");
  const half = liveState(store, status({ state: "half_open", failures: 5 }), true);
  assert.equal(half.label, "circuit half-open: probing");
});
