/** The dashboard island's pure helpers: uPlot columns, tiles, formats, event texts. */
import assert from "node:assert/strict";
import {
  busyHours,
  colorSlot,
  compact,
  eventText,
  fallbackColumns,
  hasTraffic,
  isSeries,
  latencyColumns,
  ms,
  PALETTE_SIZE,
  percent,
  perProvider,
  positionPct,
  providerName,
  providerSlot,
  recentEvents,
  seriesPath,
  shareText,
  summarize,
  type UsageSeries,
} from "../islands/parts/dashboard.ts";

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 21, 0);

/** Four hours, two providers: the primary served hour 0, the backup hours 1 and 3. */
function fixture(): UsageSeries {
  return {
    range: "24h",
    stepMs: HOUR,
    buckets: [0, 1, 2, 3].map((i) => START + i * HOUR),
    providers: [{
      id: "primary",
      name: "Anthropic",
      requests: [2, 0, 0, 0],
      tokens: [30, 0, 0, 0],
      p50: [200, null, null, null],
      p95: [400, null, null, null],
      total: { requests: 2, tokens: 30, p50: 200, p95: 400 },
    }, {
      id: "backup",
      name: "Backup",
      requests: [0, 3, 0, 1],
      tokens: [0, 12_000, 0, 345],
      p50: [null, 900, null, 1500],
      p95: [null, 1800, null, 2500],
      total: { requests: 4, tokens: 12_345, p50: 1000, p95: 2400 },
    }],
    all: {
      requests: [2, 3, 0, 2],
      fallbacks: [0, 3, 0, 0],
      errors: [0, 0, 0, 1],
      fallbackRate: [0, 1, null, 0],
      total: { requests: 7, fallbacks: 3, errors: 1 },
    },
    events: [{
      id: "a",
      time: new Date(START + HOUR + 60_000).toISOString(),
      kind: "cooldown",
      provider: "primary",
      subject: "client credential",
      detail: "HTTP 529",
      until: new Date(START + HOUR + 360_000).toISOString(),
    }, {
      id: "b",
      time: new Date(START + HOUR + 61_000).toISOString(),
      kind: "circuit",
      provider: "primary",
      subject: null,
      detail: "degraded",
    }, {
      id: "c",
      time: new Date(START + 2 * HOUR).toISOString(),
      kind: "circuit",
      provider: "gone",
      subject: null,
      detail: "half_open",
    }],
  };
}

Deno.test("dashboard: uPlot columns are x in seconds, then one column per series", () => {
  const s = fixture();
  const req = perProvider(s, "requests");
  assert.deepEqual(req[0], s.buckets.map((b) => b / 1000));
  assert.equal(req.length, 3);
  assert.deepEqual(req[1], [2, 0, 0, 0]);
  assert.deepEqual(perProvider(s, "tokens")[2], [0, 12_000, 0, 345]);
  // p50 then p95 per provider, gaps kept as null so uPlot leaves them out.
  const lat = latencyColumns(s);
  assert.equal(lat.length, 5);
  assert.deepEqual(lat[1], [200, null, null, null]);
  assert.deepEqual(lat[4], [null, 1800, null, 2500]);
  assert.deepEqual(fallbackColumns(s)[1], [0, 100, null, 0]);
});

Deno.test("dashboard: tiles sum the range; no requests means no rate, not 0 %", () => {
  const s = fixture();
  assert.deepEqual(summarize(s), {
    requests: 7,
    fallbacks: 3,
    errors: 1,
    tokens: 12_375,
    fallbackPct: 42.9,
  });
  const quiet = fixture();
  quiet.all.total = { requests: 0, fallbacks: 0, errors: 0 };
  assert.equal(summarize(quiet).fallbackPct, null);
  assert.equal(percent(summarize(quiet).fallbackPct), "—");
});

Deno.test("dashboard: traffic, busy hours and the empty state", () => {
  const s = fixture();
  assert.ok(hasTraffic(s));
  assert.deepEqual(busyHours(s), [0, 1, 3]);
  const none = fixture();
  none.all = {
    ...none.all,
    requests: [0, 0, 0, 0],
    total: { requests: 0, fallbacks: 0, errors: 0 },
  };
  none.providers = none.providers.map((p) => ({
    ...p,
    requests: [0, 0, 0, 0],
    total: { ...p.total, requests: 0 },
  }));
  assert.ok(hasTraffic(none), "events alone are worth showing");
  none.events = [];
  assert.ok(!hasTraffic(none));
  assert.deepEqual(busyHours(none), []);
});

Deno.test("dashboard: number formats", () => {
  assert.equal(compact(0), "0");
  assert.equal(compact(9_999), "9,999");
  assert.equal(compact(12_345), "12.3k");
  assert.equal(compact(4_500_000), "4.5M");
  assert.equal(compact(2_000_000_000), "2B");
  assert.equal(percent(25), "25%");
  assert.equal(percent(12.5), "12.5%");
  assert.equal(ms(null), "—");
  assert.equal(ms(320.4), "320 ms");
  assert.equal(ms(1500), "1.5 s");
});

Deno.test("dashboard: colours cycle per provider and follow the series' order", () => {
  const s = fixture();
  assert.equal(colorSlot(0), 0);
  assert.equal(colorSlot(PALETTE_SIZE + 1), 1);
  assert.equal(providerSlot(s, "backup"), 1);
  assert.equal(providerSlot(s, "gone"), null);
  assert.equal(providerName(s, "primary"), "Anthropic");
  assert.equal(providerName(s, "gone"), "gone");
});

Deno.test("dashboard: event texts, order and place on the strip", () => {
  const s = fixture();
  assert.deepEqual(s.events.map(eventText), [
    "cooled down (client credential) after HTTP 529",
    "circuit degraded: tried last",
    "circuit half-open: probing",
  ]);
  assert.equal(eventText({ ...s.events[1], detail: "weird" }), "circuit weird");
  const { shown, more } = recentEvents(s, 2);
  assert.deepEqual(shown.map((e) => e.id), ["c", "b"]);
  assert.equal(more, 1);
  // Four hours wide: 2 h in is the middle.
  assert.equal(positionPct(s, s.events[2].time), 50);
  assert.equal(positionPct(s, new Date(START - HOUR).toISOString()), 0);
  assert.equal(positionPct(s, new Date(START + 9 * HOUR).toISOString()), 100);
});

Deno.test("dashboard: share text, API path and the answer's shape check", () => {
  const s = fixture();
  assert.equal(shareText(s, "requests"), "6 requests in this range: Backup 4, Anthropic 2.");
  assert.equal(shareText(s, "tokens"), "12.4k tokens in this range: Backup 12.3k, Anthropic 30.");
  assert.equal(seriesPath("7d"), "/admin/api/usage/series?range=7d");
  assert.ok(isSeries(s));
  assert.ok(!isSeries(null));
  assert.ok(!isSeries({ error: { message: "nope" } }));
  assert.ok(!isSeries("<html>"));
});
