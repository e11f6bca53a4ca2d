/**
 * The cloud-credential choices on the admin page in a real browser (Debian's chromium, driven by
 * playwright-core): the Bedrock and Vertex presets that use the credentials already on the machine
 * fill in `awsCredentials` / `googleCredentials`, and a saved Vertex provider's editor shows the
 * service account it signs in as, with no secret in what the page received.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import { startDetour } from "./helpers/harness.ts";
import { makeServiceAccount } from "./helpers/cloud_mocks.ts";

Deno.test({
  name:
    "cloud credentials in chromium: default-credential presets, and the identity a provider uses",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The token endpoint is never called: the identity of a pasted key is its client_email.
    const sa = await makeServiceAccount("http://127.0.0.1:9/token");
    const detour = await startDetour({
      providers: [{
        id: "vertex",
        name: "Vertex",
        type: "vertex",
        baseUrl: "https://aiplatform.googleapis.com",
        region: "global",
        serviceAccountJson: JSON.stringify(sa.json),
      }],
    });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      const bodies: Promise<string>[] = [];
      page.on("response", (res) => bodies.push(res.text().catch(() => "")));

      // The saved provider: its editor looks up who it signs in as.
      const saved = page.locator("li.card[data-provider=vertex]");
      await saved.getByRole("button", { name: "Edit" }).click();
      await saved.getByRole("heading", { name: "Signs in as" }).waitFor();
      await saved.getByRole("button", { name: "Show identity" }).click();
      await saved.getByText(`${sa.json.client_email}, through service account key`).waitFor();
      await shot(page, "cloud-identity", saved.getByRole("heading", { name: "Signs in as" }));

      // The presets that use the machine's own credentials fill in the choice.
      await page.getByRole("button", { name: "+ Add provider" }).click();
      await page.click("[data-preset=aws-bedrock-default]");
      const bedrock = page.locator("li.card[data-provider=aws-bedrock-default]");
      assert.equal(
        await bedrock.getByLabel("awsCredentials", { exact: true }).inputValue(),
        "default",
      );
      await bedrock.getByText("Save first to see the identity").waitFor();
      await page.getByRole("button", { name: "+ Add provider" }).click();
      await page.click("[data-preset=google-vertex-adc]");
      const vertex = page.locator("li.card[data-provider=google-vertex-adc]");
      assert.equal(
        await vertex.getByLabel("googleCredentials", { exact: true }).inputValue(),
        "default",
      );

      const received = (await Promise.all(bodies)).join("\n");
      assert.ok(!received.includes("PRIVATE KEY"), "the key never reaches the page");
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await detour.close();
    }
  },
});
