/**
 * Issue 6 on the admin page, in a real browser (Debian's chromium): real /v1/messages requests
 * through Detour count usage; a token quota set in the provider editor is saved, its bar shows the
 * right numbers and reset time, and reaching it shows the exhausted state; circuit breaker, webhook
 * and debug body capture are edited in Settings and saved. Screenshots go to tests/screenshots/.
 */
import assert from "node:assert/strict";
import { settle } from "./helpers/usage.ts";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import {
  anthropicMessage,
  mockUpstream,
  type RunningDetour,
  startDetour,
} from "./helpers/harness.ts";

const KEY_ZAI = "sk-zai-stored-secret-0123456789abcdef";
const KEY_BACKUP = "sk-backup-stored-secret-9876543210abc";
const HOOK = "https://hooks.example.com/services/T000/B000/hook-secret-token";
const DAY = 86_400_000;

/** Tokens each answer reports: 100 in + 20 out + 30 cache read = 150 against a quota. */
const USAGE = {
  input_tokens: 100,
  output_tokens: 20,
  cache_read_input_tokens: 30,
  cache_creation_input_tokens: 0,
};

/** Sends one non-streaming request through Detour; answers the provider that served it. */
async function send(detour: RunningDetour): Promise<string | null> {
  const res = await fetch(`${detour.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("x-detour-provider");
}

async function save(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("All changes saved").waitFor();
}

Deno.test({
  name: "admin page in chromium: usage and quota bars, quota editor, circuit/webhook/capture",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = mockUpstream((_req, body) =>
      Response.json({ ...anthropicMessage("ok", JSON.parse(body).model), usage: USAGE })
    );
    const detour = await startDetour({
      providers: [
        { id: "zai", name: "Z.AI", type: "anthropic", baseUrl: upstream.url, keys: [KEY_ZAI] },
        { id: "backup", type: "anthropic", baseUrl: upstream.url, keys: [KEY_BACKUP] },
      ],
    });
    const config = () => detour.deps.live.config;
    let browser: Browser | null = null;
    let errors: string[] = [];
    let sent = 0;
    try {
      // --- Usage counts before any quota: today's tokens on the card. ---
      for (let i = 0; i < 2; i++) assert.equal(await send(detour), "zai");
      await settle(detour, sent += 2);

      browser = await launchChromium();
      const opened = await openAdmin(browser, detour.url, detour.adminToken);
      const page = opened.page;
      errors = opened.errors;
      const card = page.locator("li.card[data-provider=zai]");
      await card.getByText("2 requests · 200 in · 40 out · 60 cache read · 0 cache write")
        .waitFor();
      assert.equal(await card.locator("[data-quota]").count(), 0, "no quota yet");

      // --- Set a quota in the editor: inline checks first, nothing sent while they fail. ---
      await card.getByRole("button", { name: "Edit Z.AI" }).click();
      await card.getByRole("button", { name: "+ Set a token quota" }).click();
      const tokens = card.getByLabel("Tokens per period");
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("id")?.endsWith("tokens")),
        true,
        "the budget field gets the focus",
      );
      await page.getByRole("button", { name: "Save changes" }).click();
      await card.getByText("the token budget is required").waitFor();
      await tokens.fill("1.5");
      await card.getByText("must be a whole number of tokens, at least 1").waitFor();
      const threshold = card.getByLabel("Skip past (% of the budget)");
      await threshold.fill("150");
      await card.getByText("must be a percentage between 1 and 100").waitFor();
      await shot(
        page,
        "usage-01-quota-editor-errors",
        card.getByRole("heading", {
          name: "Token quota",
        }),
      );
      assert.equal(config().providers[0].quota, undefined, "nothing saved yet");
      // The week start shows for weekly budgets only.
      const period = card.getByLabel("Period", { exact: true });
      await period.selectOption("week");
      await card.getByLabel("Week starts on").selectOption("sunday");
      await period.selectOption("day");
      assert.equal(await card.getByLabel("Week starts on").count(), 0);
      await tokens.fill("1000");
      await threshold.fill("80");
      await save(page);
      assert.deepEqual(config().providers[0].quota, {
        tokens: 1000,
        period: "day",
        weekStartsOn: "sunday",
        thresholdPercent: 80,
        perKey: false,
      });

      // --- Requests counted against it: the bar after a reload (server render, then hydrated). ---
      for (let i = 0; i < 3; i++) assert.equal(await send(detour), "zai");
      await settle(detour, sent += 3);
      await page.reload();
      await page.waitForFunction(() => document.documentElement.classList.contains("hydrated"));
      const bar = card.locator("[data-quota=zai]");
      await bar.getByText("450 / 1,000 tokens").waitFor();
      await bar.getByText("45 %").waitFor();
      const midnight = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString();
      const resetText = `${midnight.slice(0, 10)} 00:00 UTC`;
      await bar.getByText(new RegExp(`Resets in \\d+ (h|min|s) \\(${resetText}\\)`)).waitFor();
      await bar.getByText("skipped past 80 %").waitFor();
      const meter = bar.getByRole("meter", { name: "Token quota of zai" });
      assert.equal(await meter.getAttribute("aria-valuenow"), "450");
      assert.equal(await bar.locator(".meter-fill").getAttribute("width"), "45");
      assert.equal(await bar.locator(".meter-mark").getAttribute("x1"), "80");
      await card.getByText("5 requests · 500 in · 100 out · 150 cache read").waitFor();
      await shot(page, "usage-02-quota-bar", card);

      // --- Reach it: the next request goes to the backup; the card says until when. ---
      for (let i = 0; i < 3; i++) assert.equal(await send(detour), "zai"); // 900 of 1000
      await settle(detour, sent += 3);
      assert.equal(await send(detour), "backup");
      await settle(detour, sent += 1);
      // The page's status polling (every 5 s) brings the new state, without a reload.
      await bar.getByText(`Quota reached: skipped until ${resetText}`).waitFor({
        timeout: 8000,
      });
      await card.locator(".badge-cooling").getByText("quota reached: skipped").waitFor();
      await bar.getByText("900 / 1,000 tokens").waitFor();
      assert.equal(await bar.getAttribute("class"), "quota exhausted");
      const status = detour.deps.quotas.state("p:zai");
      assert.equal(status?.used, 900);
      assert.equal(status?.resetsAt, midnight);
      await shot(page, "usage-03-quota-exhausted", card);

      // --- Settings: circuit breaker (with an inline check). ---
      const settings = page.locator("#settings");
      await settings.getByLabel("Degraded after (failures)").fill("6");
      await settings.getByText('must be at least "degraded after" (6)').waitFor();
      await settings.getByLabel("Degraded after (failures)").fill("2");
      await settings.getByLabel("Open after (failures)").fill("4");
      await settings.getByLabel("Open for (seconds)").fill("30");

      // --- Webhook: a server-side error lands next to the URL field. ---
      const url = settings.getByLabel("Webhook URL");
      await url.fill("https://hooks.example.com/…x");
      await page.getByRole("button", { name: "Save changes" }).click();
      await settings.getByText("is masked but no stored webhook URL matches").waitFor();
      await page.getByText(/Not saved: .*Your edits are still here/).waitFor();
      assert.equal(await url.getAttribute("aria-invalid"), "true");
      assert.equal(config().webhook, undefined);
      await url.fill(HOOK);
      assert.equal(await url.getAttribute("aria-invalid"), null, "the server error goes on edit");
      await settings.getByLabel("Burst: fallbacks").fill("3");
      await settings.getByLabel("Burst: within (seconds)").fill("120");
      await settings.getByLabel("At most one every (seconds)").fill("60");
      await save(page);
      assert.deepEqual(config().circuitBreaker, {
        enabled: true,
        degradedAfter: 2,
        openAfter: 4,
        openSeconds: 30,
      });
      assert.deepEqual(config().webhook, {
        url: HOOK,
        burstFallbacks: 3,
        burstWindowSeconds: 120,
        minIntervalSeconds: 60,
        timeoutMs: 5000,
      });
      // Shown masked after the save: the token in the URL never comes back to the page.
      assert.equal(await url.inputValue(), "https://hooks.example.com/…");
      assert.ok(!(await page.content()).includes("hook-secret-token"));

      // --- Debug body capture for the next 15 minutes, then stopped. ---
      await settings.getByLabel("Capture redacted request/response bodies for the next")
        .fill("15");
      const before = Date.now();
      await settings.getByRole("button", { name: "Start capture" }).click();
      await settings.getByText(/On: redacted request and response bodies are stored until/)
        .waitFor();
      await settings.getByText("— once saved").waitFor();
      await save(page);
      const until = Date.parse(config().requestLog.debugBodiesUntil ?? "");
      assert.ok(
        until >= before + 15 * 60_000 && until <= Date.now() + 15 * 60_000,
        `debugBodiesUntil ${config().requestLog.debugBodiesUntil} is 15 minutes ahead`,
      );
      await settings.getByText(/\(in 15 min, /).waitFor();
      await shot(page, "usage-04-settings-circuit", page.locator("#settings"));
      await shot(
        page,
        "usage-05-settings-capture-webhook",
        settings.getByRole("heading", { name: "Request log" }),
      );
      await settings.getByRole("button", { name: "Stop capture" }).click();
      await settings.getByText("Off.").waitFor();
      await save(page);
      assert.equal(config().requestLog.debugBodiesUntil, undefined);
      // The log's other fields kept their values.
      assert.equal(config().requestLog.maxEntries, 5000);

      // --- Clearing the URL removes the webhook (the page says so first). ---
      await url.fill("");
      await settings.getByText("left empty, the webhook is removed when you save").waitFor();
      await save(page);
      assert.equal(config().webhook, undefined);
      assert.equal(config().circuitBreaker.openAfter, 4, "the rest stays");

      assert.deepEqual(errors, [], "no page errors");
    } finally {
      await browser?.close();
      await detour.close();
      await upstream.close();
    }
  },
});

Deno.test({
  name: "admin page in chromium: a per-key quota shows one bar per key with its own spend",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = mockUpstream((_req, body) =>
      Response.json({ ...anthropicMessage("ok", JSON.parse(body).model), usage: USAGE })
    );
    const detour = await startDetour({
      providers: [{
        id: "zai",
        name: "Z.AI",
        type: "anthropic",
        baseUrl: upstream.url,
        keys: [KEY_ZAI, KEY_BACKUP],
        quota: { tokens: 1000, period: "day", perKey: true },
      }],
    });
    let browser: Browser | null = null;
    let errors: string[] = [];
    try {
      // Which key served each request, as x-detour-attempts names it (`zai#1 200 3ms`).
      const served = new Map<string, number>([["zai#1", 0], ["zai#2", 0]]);
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${detour.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "claude-sonnet-4-5",
            max_tokens: 5,
            messages: [{ role: "user", content: "hi" }],
          }),
        });
        assert.equal(res.status, 200);
        await res.body?.cancel();
        const label = res.headers.get("x-detour-attempts")!.split(" ")[0];
        assert.ok(served.has(label), `served by ${label}`);
        served.set(label, served.get(label)! + 1);
      }
      await settle(detour, 5);

      browser = await launchChromium();
      const opened = await openAdmin(browser, detour.url, detour.adminToken);
      const page = opened.page;
      errors = opened.errors;
      const card = page.locator("li.card[data-provider=zai]");
      await card.getByText("Token quota per key (per day)").waitFor();
      assert.equal(await card.locator("[data-quota=zai]").count(), 0, "no provider-wide bar");
      for (const [label, count] of served) {
        const used = 150 * count;
        const bar = card.locator(`.key-quotas [data-quota="${label}"]`);
        await bar.getByText(`${used.toLocaleString("en-US")} / 1,000 tokens`).waitFor();
        await bar.getByText(`${Math.round(used / 10)} %`).waitFor();
        const meter = bar.getByRole("meter", { name: `Token quota of ${label}` });
        assert.equal(await meter.getAttribute("aria-valuenow"), String(used));
        assert.equal(await bar.locator("code.quota-name").textContent(), label);
        assert.equal(
          detour.deps.quotas.state(
            detour.deps.live.chain.providers[0].keys[
              label === "zai#1" ? 0 : 1
            ].target,
          )?.used,
          used,
        );
      }
      await shot(page, "usage-05-per-key-quota", card);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await detour.close();
      await upstream.close();
    }
  },
});
