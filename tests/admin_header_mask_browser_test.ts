/**
 * Provider header values on the admin page in a real browser (Debian's chromium, driven by
 * playwright-core): a stored value is shown masked, never reaches the browser in any response, is
 * kept through a save, and is replaced only when a new value is typed.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import { anthropicMessage, mockUpstream, startDetour } from "./helpers/harness.ts";

const HEADER_SECRET = "Bearer hdr-secret-0123456789abcdefghij";
const TENANT = "tenant-0042-secret";
const NEW_TENANT = "tenant-0043-typed-in";

Deno.test({
  name: "header values in chromium: masked, never sent to the browser, kept through a save",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = mockUpstream((_req, body) =>
      Response.json(anthropicMessage("pong", JSON.parse(body).model))
    );
    const detour = await startDetour({
      providers: [{
        id: "gw",
        name: "Gateway",
        type: "anthropic",
        baseUrl: upstream.url,
        keys: ["sk-gw-stored-key-0123456789abcdef"],
        headers: { Authorization: HEADER_SECRET, "x-tenant": TENANT },
      }],
    });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      // Every response the page gets from Detour (the page, its JSON API answers, assets).
      const bodies: Promise<string>[] = [];
      page.on("response", (res) => bodies.push(res.text().catch(() => "")));
      const leaked = async (...secrets: string[]) => {
        const all = (await Promise.all(bodies)).join("\n");
        return secrets.filter((s) => all.includes(s));
      };
      await page.reload();
      await page.waitForFunction(() => document.documentElement.classList.contains("hydrated"));

      const card = page.locator("li.card[data-provider=gw]");
      await card.getByRole("button", { name: "Edit Gateway" }).click();
      await card.getByText("Bearer…ghij").waitFor();
      await card.getByText("…et", { exact: true }).waitFor();
      const values = await card.locator("input").evaluateAll((els) =>
        els.map((e) => (e as HTMLInputElement).value)
      );
      assert.ok(!values.some((v) => v.includes("hdr-secret") || v.includes(TENANT)), "in a field");
      await shot(page, "header-mask-editor", card.getByRole("heading", { name: "Extra headers" }));

      // Replace one value, change your mind, keep it; replace the other for real; save.
      await card.getByRole("button", { name: "Replace value 1" }).click();
      await card.getByRole("button", { name: "Keep stored value 1" }).click();
      await card.getByText("Bearer…ghij").waitFor();
      await card.getByRole("button", { name: "Replace value 2" }).click();
      await card.getByLabel("Value 2").fill(NEW_TENANT);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Saved. The new chain is live.").waitFor();
      await page.getByText("All changes saved").waitFor();
      assert.deepEqual(detour.deps.live.config.providers[0].headers, {
        Authorization: HEADER_SECRET,
        "x-tenant": NEW_TENANT,
      });

      // After the save the new value is stored, and shown masked too.
      await page.reload();
      await page.waitForFunction(() => document.documentElement.classList.contains("hydrated"));
      await card.getByRole("button", { name: "Edit Gateway" }).click();
      await card.getByText("…in", { exact: true }).waitFor();
      assert.deepEqual(await leaked(HEADER_SECRET, "hdr-secret", TENANT, NEW_TENANT), []);
      // The check saw the page and the save's answer: the masked values are in them.
      assert.deepEqual(await leaked("Bearer…ghij", "…in"), ["Bearer…ghij", "…in"]);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await detour.close();
      await upstream.close();
    }
  },
});
