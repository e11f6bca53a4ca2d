/** The gauge board in-process: batched KV writes, sharing through KV, crossings, expiry. */
import assert from "node:assert/strict";
import { RateLimitBoard } from "./ratelimit_board.ts";
import { listGaugeRecords } from "../store/ratelimit_store.ts";

const headers = (u5h: number, resetSeconds: number) =>
  new Headers({
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-5h-utilization": String(u5h),
    "anthropic-ratelimit-unified-5h-reset": String(resetSeconds),
  });

Deno.test("board: many answers, one batched write; another board reads it; crossings once", async () => {
  const kv = await Deno.openKv(":memory:");
  let commits = 0;
  // Counts KV commits: the board must not write once per answer.
  const counting = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => {
            commits++;
            return commit();
          };
          return op;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  let now = 1_800_000_000_000;
  const reset = Math.floor((now + 3_600_000) / 1000);
  const a = new RateLimitBoard(counting, { clock: () => now, flushMs: 60_000 });
  const crossed: string[] = [];
  a.notifyAt = () => 0.8;
  a.onCross = (c) => crossed.push(`${c.target} ${c.window} ${c.utilization}`);
  for (let i = 0; i < 50; i++) {
    a.observe("c:claude:aa", "claude", "client aa", headers(i / 50, reset));
  }
  a.observe("k:backup:bb", "backup", "backup", headers(0.1, reset));
  assert.equal(commits, 0, "nothing written on the request path");
  await a.flush();
  assert.equal(commits, 1, "one batch for 51 answers");
  assert.deepEqual(crossed, ["c:claude:aa 5h 0.8"]);
  assert.equal(
    (await listGaugeRecords(kv)).get("c:claude:aa")?.gauges.windows["5h"]?.utilization,
    0.98,
  );

  const b = new RateLimitBoard(kv, { clock: () => now });
  await b.sync();
  assert.deepEqual(b.spill("c:claude:aa", 0.95, 5), {
    window: "5h",
    utilization: 0.98,
    until: 5 + 3_600_000,
  });
  assert.equal(b.spill("k:backup:bb", 0.95, now), null);
  now += 3_600_001;
  assert.equal(b.spill("c:claude:aa", 0.95, now), null, "the window has reset");
  kv.close();
});

Deno.test("board: an answer's gauges are read when asked for, the latest per credential", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_800_000_000_000;
  const reset = Math.floor((now + 3_600_000) / 1000);
  const board = new RateLimitBoard(kv, { clock: () => now, flushMs: 60_000 });
  board.observe("c:claude:aa", "claude", "client aa", headers(0.5, reset));
  now += 10;
  board.observe("c:claude:aa", "claude", "client aa", headers(0.6, reset));
  // An answer without gauge headers (a 529, say) leaves the last reading in place.
  board.observe("c:claude:aa", "claude", "client aa", new Headers({ "retry-after": "1" }));
  now += 10;
  const record = board.get("c:claude:aa");
  assert.equal(record?.gauges.windows["5h"]?.utilization, 0.6);
  assert.equal(record?.gauges.at, now - 10, "dated when the answer came, not when read");
  assert.deepEqual([...board.all().keys()], ["c:claude:aa"]);
  board.observe("k:backup:bb", "backup", "backup", headers(0.97, reset));
  assert.equal(board.spill("k:backup:bb", 0.95, now)?.utilization, 0.97, "the planner reads it");
  board.observe("k:backup:bb", "backup", "backup", headers(0.2, reset));
  await board.flush();
  const stored = await listGaugeRecords(kv);
  assert.equal(stored.get("k:backup:bb")?.gauges.windows["5h"]?.utilization, 0.2);
  assert.equal(stored.get("c:claude:aa")?.gauges.windows["5h"]?.utilization, 0.6);
  kv.close();
});

Deno.test("board: a later reading synced from another instance outlasts an older unread answer", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_800_000_000_000;
  const reset = Math.floor((now + 3_600_000) / 1000);
  const mine = new RateLimitBoard(kv, { clock: () => now, flushMs: 60_000 });
  const other = new RateLimitBoard(kv, { clock: () => now, flushMs: 60_000 });
  mine.observe("k:p:aa", "p", "aa", headers(0.3, reset));
  now += 100;
  other.observe("k:p:aa", "p", "aa", headers(0.9, reset));
  await other.flush();
  await mine.sync();
  assert.equal(mine.get("k:p:aa")?.gauges.windows["5h"]?.utilization, 0.9);
  kv.close();
});
