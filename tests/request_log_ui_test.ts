/** The request log island's pure parts: URL filters, API paths, paging, formatting. */
import assert from "node:assert/strict";
import {
  appendPage,
  DEFAULT_FILTERS,
  type Filters,
  formatMs,
  formatTokens,
  isFiltered,
  listPath,
  nextPage,
  providerLabel,
  readFilters,
  relativeTime,
  type RequestLogEntry,
  resolveWindow,
  writeFilters,
} from "../islands/parts/request_log.ts";

function entry(at: number, seq: number): RequestLogEntry {
  const id = `${String(at).padStart(13, "0")}-${seq.toString(36).padStart(4, "0")}-0a0b0c0d`;
  return {
    id,
    requestId: `req_${seq}`,
    time: new Date(at).toISOString(),
    endpoint: "messages",
    accessKey: null,
    model: "m",
    modelServed: null,
    servedBy: "anthropic",
    key: null,
    stream: false,
    status: 200,
    end: "complete",
    attempts: [{ provider: "anthropic", status: 200, outcome: "ok", ms: 3 }],
    tokens: null,
    ttfbMs: 1,
    ms: 3,
  };
}

Deno.test("filters: defaults, a round trip through the URL, other parameters kept", () => {
  assert.deepEqual(readFilters(""), DEFAULT_FILTERS);
  assert.equal(DEFAULT_FILTERS.range, "24h");
  assert.equal(writeFilters("", DEFAULT_FILTERS), "");
  assert.equal(isFiltered(DEFAULT_FILTERS), false);
  const f: Filters = {
    provider: "zai",
    status: "429",
    model: "claude-sonnet-4-5",
    range: "custom",
    since: "2025-01-02T10:00",
    until: "2025-01-02T11:30",
  };
  const search = writeFilters("?other=1&log_model=old", f);
  assert.match(search, /other=1/);
  assert.deepEqual(readFilters(search), f);
  assert.equal(isFiltered(f), true);
  // Back to the defaults: only the foreign parameter stays.
  assert.equal(writeFilters(search, DEFAULT_FILTERS), "?other=1");
});

Deno.test("filters: each bad part falls back alone; bounds only with a custom range", () => {
  const f = readFilters(
    "?log_provider=zai&log_status=abc&log_range=1y&log_since=yesterday&log_model=%20m-1%20",
  );
  assert.deepEqual(f, { ...DEFAULT_FILTERS, provider: "zai", model: "m-1" });
  assert.equal(readFilters("?log_status=error").status, "error");
  assert.equal(readFilters("?log_status=700").status, "");
  const preset = readFilters("?log_range=1h&log_since=2025-01-02T10:00");
  assert.equal(preset.since, "");
  assert.equal(
    writeFilters("", { ...DEFAULT_FILTERS, range: "7d", since: "2025-01-02T10:00" }),
    "?log_range=7d",
  );
});

Deno.test("window: presets count back from now; custom reads local times, checks the order", () => {
  const now = 1_700_000_000_000;
  assert.deepEqual(resolveWindow({ ...DEFAULT_FILTERS, range: "1h" }, now), {
    since: now - 3_600_000,
  });
  const since = "2025-01-02T10:00";
  const until = "2025-01-02T11:30";
  assert.deepEqual(
    resolveWindow({ ...DEFAULT_FILTERS, range: "custom", since, until }, now),
    // The end minute is included whole.
    {
      since: new Date(2025, 0, 2, 10, 0).getTime(),
      until: new Date(2025, 0, 2, 11, 30).getTime() + 59_999,
    },
  );
  assert.deepEqual(resolveWindow({ ...DEFAULT_FILTERS, range: "custom" }, now), {
    since: undefined,
    until: undefined,
  });
  const reversed = resolveWindow({
    ...DEFAULT_FILTERS,
    range: "custom",
    since: until,
    until: since,
  }, now);
  assert.ok("error" in reversed);
});

Deno.test("list path: only the filters set, the window, the page", () => {
  assert.equal(
    listPath(DEFAULT_FILTERS, { since: 1000 }),
    "/admin/api/requests?since=1000&limit=50",
  );
  const path = listPath(
    { ...DEFAULT_FILTERS, provider: "zai", status: "error", model: "a b" },
    { since: 1000, until: 5000 },
    { until: 3000, limit: 60 },
  );
  const q = new URL(path, "http://x").searchParams;
  assert.equal(q.get("provider"), "zai");
  assert.equal(q.get("status"), "error");
  assert.equal(q.get("model"), "a b");
  assert.equal(q.get("since"), "1000");
  assert.equal(q.get("until"), "3000", "the page's bound wins over the window's");
  assert.equal(q.get("limit"), "60");
});

Deno.test("paging: the next page repeats the oldest millisecond, appending drops repeats", () => {
  const t = 1_700_000_000_000;
  const loaded = [entry(t + 5, 0), entry(t, 2), entry(t, 1)];
  // Two entries of the oldest millisecond are loaded: ask for them again plus a full page.
  assert.deepEqual(nextPage(loaded, {}, 50), { until: t, limit: 52 });
  assert.deepEqual(nextPage([], { until: 9 }, 50), { until: 9, limit: 50 });
  // The server answers newest first within `until`: the two repeats, then older ones.
  const page = [entry(t, 2), entry(t, 1), entry(t, 0), entry(t - 3, 0)];
  const merged = appendPage(loaded, page);
  assert.deepEqual(merged.map((e) => e.id), [...loaded, page[2], page[3]].map((e) => e.id));
});

Deno.test("formatting: ms, tokens, relative times, provider labels", () => {
  assert.equal(formatMs(840), "840 ms");
  assert.equal(formatMs(2400), "2.4 s");
  assert.equal(formatMs(12_400), "12 s");
  assert.equal(formatTokens(950), "950");
  assert.equal(formatTokens(12_345), "12k");
  assert.equal(formatTokens(1234), "1.2k");
  assert.equal(formatTokens(2_500_000), "2.5M");
  const now = 1_700_000_000_000;
  assert.equal(relativeTime(now - 42_000, now), "42 s ago");
  assert.equal(relativeTime(now - 180_000, now), "3 min ago");
  assert.equal(relativeTime(now - 5 * 3_600_000, now), "5 h ago");
  assert.equal(relativeTime(now - 2 * 86_400_000, now), "2 d ago");
  const chain = [{ id: "zai", name: "Z.ai" }, { id: "anthropic" }];
  assert.deepEqual(providerLabel("zai#2", chain), { name: "Z.ai", key: "zai#2" });
  assert.deepEqual(providerLabel("anthropic", chain), { name: "anthropic", key: null });
  assert.deepEqual(providerLabel("gone", chain), { name: "gone", key: null });
});
