/**
 * Issue 14 on the admin page, without a browser: the draft keeps `spillAt` and the webhook's
 * `limitThreshold` through a save, the inline check bounds the threshold, and the gauges render
 * on the server (before hydration) with their reset times and never a credential.
 */
import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { ConfigSchema } from "../lib/config/schema.ts";
import { maskConfig } from "../lib/config/mask.ts";
import { fromConfig, toConfig } from "../islands/parts/draft.ts";
import { validate } from "../islands/parts/validate_draft.ts";
import { LimitsPanel } from "../islands/parts/limits.tsx";
import { createStore } from "../islands/parts/store.ts";
import type { PageData } from "../lib/admin/page_data.ts";
import { gaugeViews } from "../lib/usage/ratelimit_view.ts";
import { outcomeText } from "../islands/parts/request_log.ts";
import { spillPercent, spillShare } from "../islands/parts/provider/spill.tsx";

const CONFIG = ConfigSchema.parse({
  providers: [
    {
      id: "claude",
      type: "anthropic",
      baseUrl: "https://api.anthropic.com",
      passthrough: true,
      spillAt: 0.95,
    },
  ],
  webhook: { url: "https://hooks.example.com/t/secret-path", limitThreshold: 0.8 },
});

Deno.test("draft round trip keeps spillAt and webhook.limitThreshold; the threshold is bounded", () => {
  const masked = maskConfig(CONFIG);
  const d = fromConfig(masked);
  assert.equal(d.webhook.limitThreshold, "0.8");
  const { body } = toConfig(d);
  const providers = body.providers as Record<string, unknown>[];
  assert.equal(providers[0].spillAt, 0.95);
  assert.equal((body.webhook as Record<string, unknown>).limitThreshold, 0.8);
  assert.deepEqual(validate(d).errors, {});
  d.webhook.limitThreshold = "80";
  assert.match(validate(d).errors["webhook.limitThreshold"], /between 0.01 and 1/);
  d.webhook.limitThreshold = "";
  assert.equal("limitThreshold" in (toConfig(d).body.webhook as object), false);
});

Deno.test("the dashboard's limits panel renders on the server: windows, resets, spill-over", () => {
  const now = Date.parse("2026-12-05T12:00:00Z");
  const records = new Map([["c:claude:0123456789abcdef", {
    provider: "claude",
    label: "client 01234567",
    gauges: {
      at: now - 5000,
      status: "allowed_warning",
      windows: {
        "5h": { utilization: 0.97, resetsAt: now + 2 * 3_600_000, status: "allowed_warning" },
        "7d": { utilization: 0.3, resetsAt: now + 72 * 3_600_000 },
      },
    },
  }]]);
  const limits = gaugeViews(records, CONFIG, now);
  assert.deepEqual(limits[0].spill, { window: "5h", until: "2026-12-05T14:00:00.000Z" });
  const store = createStore({
    now: new Date(now).toISOString(),
    config: CONFIG,
    version: null,
    status: { providers: [], billing: {}, models: [], limits },
  } as unknown as PageData);
  const html = renderToString(h(LimitsPanel, { store }));
  assert.match(html, /client 01234567/);
  assert.match(html, /97 %/);
  assert.match(html, /2026-12-05 14:00 UTC/);
  assert.match(html, /2026-12-08 12:00 UTC/);
  assert.match(html, /Spilling over: 5-hour window past 95 %/);
  assert.ok(!html.includes("0123456789abcdef"), "not even the stored hash");
});

Deno.test("request log words a spill-over note", () => {
  const note = { provider: "claude", status: null, outcome: "spill:7d", ms: 0 };
  assert.equal(outcomeText(note), "skipped: 7d limit past spillAt");
});

Deno.test("the spill-over field: a percentage typed, a share stored", () => {
  assert.equal(spillPercent(0.95), "95");
  assert.equal(spillPercent(0.905), "90.5");
  assert.equal(spillPercent(undefined), "");
  assert.equal(spillShare(" 95 "), 0.95);
  assert.equal(spillShare("90.5"), 0.905);
  assert.equal(spillShare(""), undefined);
  assert.equal(spillShare("lots"), "lots");
  const d = fromConfig(maskConfig(CONFIG));
  d.providers[0].extra.spillAt = 1.5;
  assert.match(validate(d).errors[`${d.providers[0].uid}.spillAt`], /between 1 and 100/);
});
