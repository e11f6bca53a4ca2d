import assert from "node:assert/strict";
import { CooldownBoard } from "./cooldown_board.ts";

Deno.test("cooldown board: a re-read that began before a clear does not bring the cooldown back", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const board = new CooldownBoard(kv);
    await board.set("p:primary", { until: Date.now() + 60_000, reason: "stream broke" });
    // The change feed's re-read is in flight (its list was sent before the delete) when an
    // admin clears the cooldown.
    const reading = board.sync();
    const clearing = board.clear("p:primary");
    await Promise.all([reading, clearing]);
    assert.equal(board.get("p:primary"), undefined);
    // A later re-read agrees, and a new cooldown after the clear still counts.
    await board.sync();
    assert.equal(board.get("p:primary"), undefined);
    await board.set("p:primary", { until: Date.now() + 60_000, reason: "again" });
    await board.sync();
    assert.equal(board.get("p:primary")?.reason, "again");
  } finally {
    kv.close();
  }
});
