import assert from "node:assert/strict";
import { objectSlot } from "../lib/object_slot.ts";

Deno.test("objectSlot: per-object data that spread and JSON never see", () => {
  const slot = objectSlot<string>("test");
  const a = { model: "m" };
  const b = { model: "m" };
  assert.equal(slot.has(a), false);
  assert.equal(slot.get(a), undefined);
  slot.set(a, "one");
  slot.set(a, "two"); // writable: a second set replaces the first
  assert.equal(slot.get(a), "two");
  assert.equal(slot.has(a), true);
  assert.equal(slot.get(b), undefined); // per object, not per shape
  assert.equal(JSON.stringify(a), '{"model":"m"}');
  assert.equal(slot.get({ ...a }), undefined); // a copy starts without
  assert.deepEqual(Object.keys(a), ["model"]);
  // Two slots with the same name never share data.
  const other = objectSlot<string>("test");
  assert.equal(other.get(a), undefined);
});
