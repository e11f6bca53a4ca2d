/**
 * The change feed (lib/store/change_feed.ts): an idle instance learns of cooldowns, circuit
 * changes, config and access keys written by another one without serving a request first, and
 * without listing cooldowns or circuits while nothing changes.
 */
import assert from "node:assert/strict";
import { startDetour } from "./helpers/harness.ts";
import { spyKv } from "./helpers/kv_spy.ts";
import { ChangeFeed, type ChangeTopic, OwnWrites } from "../lib/store/change_feed.ts";
import { putCooldown } from "../lib/store/cooldown_store.ts";
import { putCircuit } from "../lib/store/circuit_store.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(50);
  assert.ok(check(), `${what} did not arrive within 5 s`);
}

Deno.test("change feed: an idle instance's mirrors follow another instance's writes", async () => {
  const kv = await Deno.openKv(":memory:");
  const config = {
    providers: [{
      id: "zai",
      type: "anthropic" as const,
      baseUrl: "http://127.0.0.1:9",
      keys: ["k-0"],
    }],
  };
  const a = await startDetour(config, {}, kv);
  // B shares A's store; closing B must leave it open for A.
  const shared = new Proxy(kv, {
    get(target, prop) {
      if (prop === "close") return () => {};
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const b = await startDetour(config, {}, shared);
  try {
    // No request reaches B: its mirror must be current on its own.
    await a.deps.cooldowns.set("p:zai", { until: Date.now() + 60_000, reason: "overloaded" });
    await eventually("a cooldown", () => b.deps.cooldowns.all().has("p:zai"));
    await a.deps.cooldowns.clear("p:zai");
    await eventually("a cleared cooldown", () => !b.deps.cooldowns.all().has("p:zai"));
    a.deps.circuits.record("zai", false);
    a.deps.circuits.record("zai", false);
    a.deps.circuits.record("zai", false);
    await a.deps.circuits.flush();
    await eventually("a circuit change", () => b.deps.circuits.get("zai").failures === 3);
    const next = structuredClone(a.deps.live.config);
    next.cooldownSeconds = 91;
    assert.equal((await a.deps.live.replace(next, a.deps.live.version)).ok, true);
    await eventually("the config", () => b.deps.live.config.cooldownSeconds === 91);
  } finally {
    await b.close();
    await a.close();
  }
});

Deno.test("change feed: while nothing changes it reads only its version keys; a poll finds writes a watch missed", async () => {
  const spy = spyKv(await Deno.openKv(":memory:"));
  const seen: ChangeTopic[][] = [];
  const feed = new ChangeFeed(spy.kv, (t) => seen.push([...t].sort()), { pollMs: 60_000 });
  await feed.start();
  try {
    spy.reset();
    await feed.poll();
    await feed.poll();
    assert.equal(seen.length, 0);
    // Two polls: one getMany each, of the four version keys; nothing listed, nothing written.
    assert.deepEqual([spy.counts.reads, spy.counts.readKeys, spy.counts.writes], [2, 8, 0]);
    await putCooldown(spy.kv, "p:x", { until: Date.now() + 60_000, reason: "overloaded" });
    await putCircuit(spy.kv, "x", {
      state: "open",
      failures: 5,
      openedAt: 1,
      probeAfter: 2,
      updatedAt: 3,
    });
    await feed.poll();
    await eventually("both topics", () => seen.flat().includes("circuits"));
    assert.ok(seen.flat().includes("cooldowns"));
    assert.ok(!seen.flat().includes("config"));
  } finally {
    await feed.stop();
    spy.kv.close();
  }
});

Deno.test("change feed: this process's own cooldown writes are not re-read; another writer's are", async () => {
  const kv = await Deno.openKv(":memory:");
  const own = new OwnWrites();
  const seen: Set<ChangeTopic>[] = [];
  const feed = new ChangeFeed(kv, (t) => seen.push(t), { pollMs: 60_000, own });
  await feed.start();
  try {
    const until = () => Date.now() + 60_000;
    // Our own write: noted before the commit, then delivered (here by a poll) and skipped.
    own.note("cooldowns");
    await putCooldown(kv, "c:mine", { until: until(), reason: "429" });
    await feed.poll();
    assert.equal(seen.filter((t) => t.has("cooldowns")).length, 0, "own write re-read");
    // Another writer's, then ours before the feed looks: the count shows the other one.
    await putCooldown(kv, "c:theirs", { until: until(), reason: "429" });
    own.note("cooldowns");
    await putCooldown(kv, "c:mine-2", { until: until(), reason: "429" });
    await feed.poll();
    assert.equal(seen.filter((t) => t.has("cooldowns")).length, 1, "the other write was missed");
    // A noted write that failed is taken back: the next change from elsewhere still counts.
    own.note("cooldowns");
    own.failed("cooldowns");
    await putCooldown(kv, "c:theirs-2", { until: until(), reason: "429" });
    await feed.poll();
    assert.equal(seen.filter((t) => t.has("cooldowns")).length, 2);
  } finally {
    await feed.stop();
    kv.close();
  }
});
