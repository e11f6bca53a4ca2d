/**
 * The admin page's request log in a real browser (Debian's chromium, driven by playwright-core):
 * requests sent through Detour (a primary that rate-limits every other request, a backup with a
 * stored key, one request refused outright) show as rows; filters by provider, status, model and
 * time narrow them and survive a reload; a row opens its attempts and, with debug capture on, its
 * redacted bodies; "Load more" pages on; a phone keeps the page from scrolling sideways.
 */
import assert from "node:assert/strict";
import { settle } from "./helpers/usage.ts";
import type { Browser, Page } from "playwright-core";
import { hydrated, launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  mockUpstream,
  type RunningDetour,
  startDetour,
} from "./helpers/harness.ts";

const STORED_KEY = "sk-zai-stored-secret-0123456789abcdef";
const CLIENT_KEY = "sk-ant-api03-client-secret-abcdefghijklmnop";
/** More than one page (50) of ordinary requests, so "Load more" has something to load. */
const ORDINARY = 55;

async function send(detour: RunningDetour, model: string): Promise<number> {
  const res = await fetch(`${detour.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": CLIENT_KEY },
    body: JSON.stringify({
      model,
      max_tokens: 5,
      // A stored key inside the body: debug capture must redact it.
      messages: [{ role: "user", content: `please keep ${STORED_KEY} safe` }],
    }),
  });
  await res.text();
  return res.status;
}

/** The request-log rows on the page. */
function rows(page: Page) {
  return page.locator("#requests tbody tr");
}

/** Waits until the table shows exactly `n` rows and nothing is loading. */
async function expectRows(page: Page, n: number) {
  await page.waitForFunction((n) => {
    const busy = document.querySelector("#requests [aria-busy=true]");
    return !busy && document.querySelectorAll("#requests tbody tr").length === n;
  }, n);
}

Deno.test({
  name: "request log in chromium: rows, filters, details with attempts and redacted bodies, paging",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let n = 0;
    const primary = mockUpstream((_req, body) => {
      const model = JSON.parse(body).model as string;
      // The client's own mistake: answered at once, no fallback, logged as an error.
      if (model === "bad-model") {
        return anthropicErrorResponse(400, "invalid_request_error", "model: unknown model");
      }
      n++;
      return n % 2 === 0
        ? anthropicErrorResponse(429, "rate_limit_error", "slow down (mock)")
        : Response.json(anthropicMessage("from primary", model));
    });
    const backup = mockUpstream(() => Response.json(anthropicMessage("from backup", "glm-4.6")));
    const detour = await startDetour({
      providers: [
        {
          id: "anthropic",
          name: "Anthropic",
          type: "anthropic",
          baseUrl: primary.url,
          passthrough: true,
          cooldownSeconds: 0,
        },
        { id: "zai", name: "Z.ai", type: "anthropic", baseUrl: backup.url, keys: [STORED_KEY] },
      ],
      requestLog: { debugBodiesUntil: new Date(Date.now() + 3_600_000).toISOString() },
    });
    detour.deps.usage.capEveryMs = 0;
    let browser: Browser | null = null;
    try {
      assert.equal(await send(detour, "bad-model"), 400);
      for (let i = 1; i <= ORDINARY; i++) assert.equal(await send(detour, `m-${i}`), 200);
      const total = ORDINARY + 1;
      // Even-numbered primary calls were rate limited and served by the backup.
      const fellBack = Math.floor(ORDINARY / 2);
      await settle(detour, total);

      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      const section = page.locator("#requests");
      await section.getByRole("heading", { name: "Requests" }).waitFor();
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", {
        name: "Requests",
      }).click();

      // --- First page: 50 rows, newest first; then "Load more" brings the rest. ---
      await expectRows(page, 50);
      const first = rows(page).first();
      assert.match(await first.innerText(), /m-55/);
      assert.match(await first.innerText(), /Anthropic/);
      await shot(page, "rl-01-first-page", section);
      await section.getByRole("button", { name: "Load more" }).click();
      await expectRows(page, total);
      assert.match(await rows(page).last().innerText(), /bad-model/);
      assert.equal(await section.getByRole("button", { name: "Load more" }).count(), 0);
      const ids = await rows(page).evaluateAll((trs) =>
        trs.map((tr) => (tr as HTMLElement).dataset.requestId)
      );
      assert.equal(new Set(ids).size, total, "no row twice after paging");

      // --- Provider: only the fallbacks remain (each tried the primary first). ---
      await section.getByLabel("Provider").selectOption("zai");
      await expectRows(page, fellBack);
      for (const text of await rows(page).allInnerTexts()) {
        assert.match(text, /fell back/);
        assert.match(text, /Z\.ai/);
        assert.match(text, /glm-4\.6/, "model served shown");
      }
      assert.match(page.url(), /log_provider=zai/);
      await shot(page, "rl-02-provider-zai", section);

      // --- Status: errors only (the refused request). ---
      await section.getByLabel("Provider").selectOption("");
      await section.getByLabel("Status").selectOption("error");
      await expectRows(page, 1);
      assert.match(await rows(page).first().innerText(), /bad-model[\s\S]*400/);
      // A specific code.
      await section.getByLabel("Status").selectOption("code");
      await section.getByLabel("Code").fill("400");
      await section.getByLabel("Code").press("Enter");
      await expectRows(page, 1);
      assert.match(page.url(), /log_status=400/);
      await section.getByRole("button", { name: "Clear filters" }).click();
      await expectRows(page, 50);

      // --- Model: exact, asked or served. ---
      await section.getByLabel("Model").fill("m-7");
      await section.getByLabel("Model").press("Enter");
      await expectRows(page, 1);
      assert.match(await rows(page).first().innerText(), /m-7/);
      await section.getByLabel("Model").fill("glm-4.6");
      await section.getByLabel("Model").press("Enter");
      await expectRows(page, fellBack);

      // --- Time: a custom range that ended before anything was sent shows the empty state. ---
      await section.getByLabel("Model").fill("");
      await section.getByLabel("Model").press("Enter");
      await section.getByLabel("Time").selectOption("custom");
      await section.getByLabel("To").fill("2020-01-01T00:00");
      await section.getByText("No logged request matches these filters.").waitFor();
      await shot(page, "rl-03-empty", section);
      await section.getByLabel("From").fill("2020-01-02T00:00");
      await section.getByText("The start of the range is after its end.").waitFor();
      await section.getByLabel("Time").selectOption("1h");
      await expectRows(page, 50);

      // --- Reload keeps the filters. ---
      await section.getByLabel("Provider").selectOption("zai");
      await section.getByLabel("Status").selectOption("ok");
      await expectRows(page, fellBack);
      await page.reload();
      await hydrated(page);
      await expectRows(page, fellBack);
      assert.equal(await section.getByLabel("Provider").inputValue(), "zai");
      assert.equal(await section.getByLabel("Status").inputValue(), "ok");
      assert.equal(await section.getByLabel("Time").inputValue(), "1h");

      // --- Details: the newest fallback's two attempts, and its redacted bodies. ---
      const opener = rows(page).first().getByRole("button");
      await opener.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Request details" });
      await dialog.waitFor();
      const attempts = dialog.locator(".rl-attempts > li");
      await attempts.nth(1).waitFor();
      assert.equal(await attempts.count(), 2);
      assert.match(await attempts.nth(0).innerText(), /Anthropic[\s\S]*429[\s\S]*fell back/);
      assert.match(await attempts.nth(0).innerText(), /slow down/);
      assert.match(await attempts.nth(1).innerText(), /Z\.ai[\s\S]*200[\s\S]*served/);
      const request = dialog.getByLabel("Request body");
      assert.match(await request.innerText(), /\[redacted\]/);
      assert.match(await dialog.getByLabel("Response body").innerText(), /from backup/);
      await shot(page, "rl-04-details");
      const html = await page.content();
      const text = await page.locator("body").innerText();
      for (const s of [html, text]) {
        assert.ok(!s.includes(STORED_KEY), "stored key on the page");
        assert.ok(!s.includes(CLIENT_KEY), "client key on the page");
      }
      // Escape closes it and gives focus back to the row's button.
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      assert.ok(await opener.evaluate((el) => el === document.activeElement));

      // A click on a row (not its button) opens it too; the Close button closes it.
      await rows(page).nth(1).locator("td").nth(4).click();
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "hidden" });

      // --- An API failure says so, and "Try again" recovers. ---
      await page.route("**/admin/api/requests?*", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ type: "error", error: { message: "KV is unavailable (mock)" } }),
        }));
      await section.getByRole("button", { name: "Refresh" }).click();
      await section.getByRole("alert").getByText(
        "Could not load the request log: KV is unavailable (mock)",
      ).waitFor();
      await shot(page, "rl-05-error", section);
      await page.unrouteAll();
      await section.getByRole("button", { name: "Try again" }).click();
      await expectRows(page, fellBack);

      // --- Phone width: the table scrolls in its box, never the page. ---
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        storageState: await page.context().storageState(),
        deviceScaleFactor: 2,
      });
      const small = await phone.newPage();
      const smallErrors: string[] = [];
      small.on("pageerror", (e) => smallErrors.push(String(e)));
      await small.goto(`${detour.url}/admin?log_provider=zai#requests`);
      await hydrated(small);
      await expectRows(small, fellBack);
      const overflow = () =>
        small.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
      assert.ok((await overflow()) <= 0, "no sideways scrolling on a phone");
      await shot(small, "rl-06-phone", small.locator("#requests"));
      await rows(small).first().getByRole("button").click();
      await small.getByRole("dialog", { name: "Request details" }).locator(".rl-attempts > li")
        .nth(1).waitFor();
      assert.ok((await overflow()) <= 0, "no sideways scrolling with the details open");
      await shot(small, "rl-07-phone-details");
      await phone.close();

      assert.deepEqual(errors, []);
      assert.deepEqual(smallErrors, []);
    } finally {
      await browser?.close();
      await detour.close();
      await primary.close();
      await backup.close();
    }
  },
});
