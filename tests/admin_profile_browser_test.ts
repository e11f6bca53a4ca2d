/**
 * The capability profile section of the provider editor in a real browser (Debian's chromium,
 * driven by playwright-core): a profile override is chosen, saved, live, and shown again.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium, openAdmin } from "./helpers/browser.ts";
import { startDetour } from "./helpers/harness.ts";

Deno.test({
  name: "capability profile in chromium: a base and rule overrides are set, saved and shown again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const detour = await startDetour({
      providers: [{
        id: "gw",
        name: "Gateway",
        type: "anthropic",
        baseUrl: "http://127.0.0.1:9",
        keys: ["sk-gw-stored-key-0123456789abcdef"],
      }],
    });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      const card = page.locator("li.card[data-provider=gw]");
      await card.getByRole("button", { name: "Edit Gateway" }).click();
      await card.getByText("Capability profile", { exact: true }).first().click();
      await card.getByLabel("Built-in profile").selectOption("strict");
      await card.getByLabel("cache_control scope/ttl").selectOption("noScope");
      await card.getByLabel("Always send these fields").fill("output_config, speed");
      await card.getByLabel("Always send these fields").blur();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Saved. The new chain is live.").waitFor();
      assert.deepEqual(detour.deps.live.config.providers[0].profile, {
        base: "strict",
        cacheControl: "noScope",
        keepFields: ["output_config", "speed"],
      });

      await page.reload();
      await page.waitForFunction(() => document.documentElement.classList.contains("hydrated"));
      await card.getByRole("button", { name: "Edit Gateway" }).click();
      assert.equal(await card.getByLabel("Built-in profile").inputValue(), "strict");
      assert.equal(await card.getByLabel("cache_control scope/ttl").inputValue(), "noScope");
      assert.equal(
        await card.getByLabel("Always send these fields").inputValue(),
        "output_config, speed",
      );
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await detour.close();
    }
  },
});
