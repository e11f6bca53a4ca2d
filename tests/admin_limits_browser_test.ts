/**
 * Issue 14: the rate-limit gauges in a real browser (Debian's chromium, playwright-core). A
 * mocked subscription upstream answers with Anthropic's unified headers (5-hour 97 %, weekly
 * 30 %; https://github.com/router-for-me/CLIProxyAPI/pull/3169), past its provider's spillAt, so
 * the next request spills to a backup whose API key reports the standard headers. The provider
 * card and the dashboard show each credential's windows with their reset times and the
 * spill-over, by label or short hash, never the token.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import {
  anthropicMessage,
  closeAll,
  mockUpstream,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

const OAUTH_TOKEN = "sk-ant-oat01-browser-gauge-token-0123456789";
const HOUR = 3_600_000;

function send(url: string): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      authorization: `Bearer ${OAUTH_TOKEN}`,
    },
    body: JSON.stringify({
      model: "claude-sonnet-5",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
}

Deno.test({
  name:
    "limits in chromium: the card and the dashboard show 5-hour and weekly gauges, resets, spill-over",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const now = Date.now();
    const primary = mockUpstream(() =>
      Response.json(anthropicMessage("sub"), {
        headers: {
          "anthropic-ratelimit-unified-status": "allowed_warning",
          "anthropic-ratelimit-unified-reset": String(Math.floor((now + 2 * HOUR) / 1000)),
          "anthropic-ratelimit-unified-representative-claim": "five_hour",
          "anthropic-ratelimit-unified-5h-status": "allowed_warning",
          "anthropic-ratelimit-unified-5h-utilization": "0.97",
          "anthropic-ratelimit-unified-5h-reset": String(Math.floor((now + 2 * HOUR) / 1000)),
          "anthropic-ratelimit-unified-7d-status": "allowed",
          "anthropic-ratelimit-unified-7d-utilization": "0.3",
          "anthropic-ratelimit-unified-7d-reset": String(Math.floor((now + 72 * HOUR) / 1000)),
        },
      })
    );
    const backup = mockUpstream(() =>
      Response.json(anthropicMessage("key"), {
        headers: {
          "anthropic-ratelimit-requests-limit": "50",
          "anthropic-ratelimit-requests-remaining": "40",
          "anthropic-ratelimit-requests-reset": new Date(now + 60_000).toISOString(),
        },
      })
    );
    const detour = await startDetour({
      providers: [
        { id: "claude", type: "anthropic", baseUrl: primary.url, passthrough: true, spillAt: 0.95 },
        { id: "backup", type: "anthropic", baseUrl: backup.url, keys: ["sk-ant-api03-bk-key"] },
      ],
    });
    let browser: Browser | null = null;
    try {
      assert.equal((await send(detour.url)).headers.get("x-detour-provider"), "claude");
      const spilled = await send(detour.url);
      assert.equal(spilled.headers.get("x-detour-provider"), "backup");
      await spilled.text();

      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      const card = page.locator("li.card[data-provider=claude]");
      const gauges = card.locator(".limits-fact");
      await gauges.getByText("Rate limits").waitFor();
      const five = gauges.locator("[data-window='5h']");
      assert.equal(await five.locator(".quota-pct").textContent(), "97 %");
      assert.match((await five.locator(".limit-reset").textContent()) ?? "", /resets in 2 h \(/);
      assert.equal(await five.getAttribute("class"), "limit-window quota small exhausted");
      const week = gauges.locator("[data-window='7d']");
      assert.equal(await week.locator(".quota-pct").textContent(), "30 %");
      assert.match((await week.locator(".limit-reset").textContent()) ?? "", /resets in 3 d/);
      assert.match(
        (await gauges.locator(".limit-spill").textContent()) ?? "",
        /Spilling over: 5-hour window past 95 %; skipped until/,
      );
      assert.match(
        (await gauges.locator(".limit-credential").textContent()) ?? "",
        /^client [0-9a-f]{8}$/,
      );
      const meter = five.getByRole("meter");
      assert.equal(await meter.getAttribute("aria-valuenow"), "97");
      await shot(page, "limits-card", card);

      // The backup's API key: its per-minute window on its own card.
      const keyCard = page.locator("li.card[data-provider=backup] .limits-fact");
      assert.equal(
        await keyCard.locator("[data-window='requests'] .quota-pct").textContent(),
        "20 %",
      );

      // The editor's spill-over section: a percentage, checked inline, saved as a share.
      await card.getByRole("button", { name: "Edit claude" }).click();
      const spillAt = card.getByLabel("Skip past (% of a window)");
      assert.equal(await spillAt.inputValue(), "95");
      await spillAt.fill("150");
      await card.getByText("a percentage between 1 and 100").waitFor();
      await spillAt.fill("90");
      // Offered among the other settings no more (Preact sets option values as properties).
      const offered = await card.locator("select option").evaluateAll((os) =>
        os.map((o) => (o as HTMLOptionElement).value)
      );
      assert.ok(offered.includes("nonStreamingTimeoutMs") && !offered.includes("spillAt"));
      await page.getByRole("button", { name: "Save changes" }).click();
      await waitFor(() => detour.deps.live.config.providers[0].spillAt === 0.9, 5000, "saved");

      // The dashboard lists both providers' credentials.
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", {
        name: "Dashboard",
      }).click();
      const panel = page.locator(".dash-limits");
      await panel.getByRole("heading", { name: "Subscription and API limits" }).waitFor();
      assert.equal(await panel.locator("[data-provider]").count(), 2);
      assert.equal(
        await panel.locator("[data-provider=claude] [data-window='7d'] .quota-pct").textContent(),
        "30 %",
      );
      await shot(page, "limits-dashboard", panel);

      const html = await page.content();
      assert.ok(!html.includes(OAUTH_TOKEN), "the token never reaches the page");
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await closeAll(detour, primary, backup);
    }
  },
});
