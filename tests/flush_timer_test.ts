import assert from "node:assert/strict";
import { FlushTimer } from "../lib/flush_timer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("FlushTimer: one run per burst of schedules, none once cancelled", async () => {
  let runs = 0;
  const timer = new FlushTimer(20, () => runs++);
  timer.schedule();
  timer.schedule();
  timer.schedule();
  await sleep(60);
  assert.equal(runs, 1, "three schedules, one run");
  timer.schedule(); // a run clears the way for the next burst
  await sleep(60);
  assert.equal(runs, 2);
  timer.schedule();
  timer.cancel();
  await sleep(60);
  assert.equal(runs, 2, "a cancelled run never comes");
});
