/**
 * The admin page in a real browser (Debian's chromium, driven by playwright-core): log in, add a
 * provider from a preset with two keys and a model map, save, reload, reorder, disable, test it
 * against a mock upstream, manage access keys, import, and log out. Screenshots of the main
 * states go to tests/screenshots/ (git-ignored) for a reviewer to look at.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  collectPageErrors,
  hydrated as hydratedPage,
  launchChromium,
  shot,
} from "./helpers/browser.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  mockUpstream,
  startDetour,
} from "./helpers/harness.ts";

const KEY_1 = "sk-zai-first-secret-0123456789abcdefghij";
const KEY_2 = "sk-zai-second-secret-9876543210zyxwvutsr";

Deno.test({
  name:
    "admin page in chromium: login, add from preset, save, reorder, disable, test, keys, logout",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let rateLimited = false;
    const upstream = mockUpstream((req, body) => {
      if (new URL(req.url).pathname !== "/v1/messages") {
        return new Response("nope", { status: 404 });
      }
      if (rateLimited) {
        return anthropicErrorResponse(429, "rate_limit_error", "Rate limited (mock)", {
          "retry-after": "120",
        });
      }
      return Response.json(anthropicMessage("pong", JSON.parse(body).model));
    });
    const detour = await startDetour({
      providers: [{
        id: "anthropic",
        name: "Anthropic",
        type: "anthropic",
        baseUrl: upstream.url,
        passthrough: true,
      }],
    });
    let browser: Browser | null = null;
    let pageErrors: string[] = [];
    try {
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      pageErrors = collectPageErrors(page);
      const saved = () => detour.deps.live.config;
      const hydrated = () => hydratedPage(page);
      const save = async () => {
        await page.getByRole("button", { name: "Save changes" }).click();
        await page.getByText("Saved. The new chain is live.").waitFor();
        await page.getByText("All changes saved").waitFor();
      };

      // --- Log in (a wrong token first). ---
      await page.goto(`${detour.url}/admin`);
      assert.equal(new URL(page.url()).pathname, "/admin/login");
      await shot(page, "01-login");
      await page.getByLabel("Admin token").fill("not-the-admin-token");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByText("That is not the admin token. 4 attempt(s) left").waitFor();
      await shot(page, "02-login-wrong-token");
      await page.getByLabel("Admin token").fill(detour.adminToken);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${detour.url}/admin`);
      await hydrated();
      await page.getByRole("heading", { name: "Provider chain" }).waitFor();
      await shot(page, "03-chain");

      // --- Add Z.AI from its preset, with two keys and a model map. ---
      await page.getByRole("button", { name: "+ Add provider" }).click();
      await page.click("[data-preset=zai]");
      const card = page.locator("li.card[data-provider=zai]");
      await card.getByText("new, unsaved").waitFor();
      await page.getByText("Unsaved changes").waitFor();
      await card.getByLabel("Base URL").fill(`${upstream.url}/v1/messages`);
      await card.getByLabel("Key 1").fill(KEY_1);
      await card.getByRole("button", { name: "+ Add key" }).click();
      await card.getByLabel("Key 2").fill(KEY_2);
      // The preset filled two model-map rows; add one, first with the model missing.
      await card.getByRole("button", { name: "+ Add mapping" }).click();
      await card.getByLabel("Requested model (pattern) 3").fill("fast");
      await page.getByRole("button", { name: "Save changes" }).click();
      await card.getByText("enter the upstream model to send").waitFor();
      // Nothing was sent: the server still has only Anthropic.
      assert.deepEqual(saved().providers.map((p) => p.id), ["anthropic"]);
      await card.getByLabel("Send as model 3").fill("glm-fast");
      await card.getByText("never used: a * row above matches every model first").waitFor();
      await card.getByRole("button", { name: "Move row 3 up" }).click();
      await card.getByRole("button", { name: "Move row 2 up" }).click();
      await shot(page, "04-add-provider-editor", card.getByRole("heading", { name: "API keys" }));

      // A server-side error lands next to its field: a masked-looking key matches no stored key.
      await card.getByRole("button", { name: "+ Add key" }).click();
      await card.getByLabel("Key 3").fill("sk-zzz…9999");
      await page.getByRole("button", { name: "Save changes" }).click();
      await card.getByText("is a masked key that matches no stored key").waitFor();
      await page.getByText(/Not saved: .*Your edits are still here/).waitFor();
      assert.equal(await card.getByLabel("Key 1").inputValue(), KEY_1, "nothing lost");
      await shot(
        page,
        "05-server-validation-error",
        card.getByRole("heading", { name: "API keys" }),
      );
      await card.getByRole("button", { name: "Remove key 3" }).click();
      await save();
      const zai = saved().providers.find((p) => p.id === "zai")!;
      assert.deepEqual(zai.keys, [KEY_1, KEY_2]);
      assert.equal(zai.baseUrl, upstream.url);
      assert.equal(zai.authHeader, "authorization");
      assert.deepEqual(Object.entries(zai.modelMap), [
        ["fast", "glm-fast"],
        ["claude-*haiku*", "glm-5.3-flash"],
        ["*", "glm-5.3"],
      ]);

      // --- Reload: persisted, keys masked, and never in the page. ---
      await page.reload();
      await hydrated();
      const html = await page.content();
      assert.ok(!html.includes(KEY_1) && !html.includes(KEY_2), "no stored key in the page");
      await card.getByText("sk-zai…ghij").waitFor();
      await card.getByText("sk-zai…utsr").waitFor();
      await card.getByRole("button", { name: "Edit Z.AI" }).click();
      await card.getByText("sk-zai…ghij").first().waitFor();
      assert.equal(
        await card.locator("input[type=password]").count(),
        0,
        "stored keys stay masked",
      );
      await card.getByRole("button", { name: "Close editor Z.AI" }).click();

      // --- Live state: a 429 from Z.AI shows up within a status refresh, without a reload. ---
      rateLimited = true;
      const limited = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-sonnet-5", max_tokens: 1, messages: [] }),
      });
      assert.equal(limited.status, 429);
      await limited.body?.cancel();
      rateLimited = false;
      await card.locator(".badge-cooling").waitFor({ timeout: 8000 });
      await card.getByText(/cooling until/).first().waitFor();
      await shot(page, "06-cooling", page.locator("#chain"));
      for (const target of detour.deps.cooldowns.all().keys()) {
        await detour.deps.cooldowns.clear(target);
      }

      // --- Reorder with the keyboard buttons, then by dragging. ---
      await card.getByRole("button", { name: "Move Z.AI up" }).click();
      await page.getByText("Unsaved changes").waitFor();
      assert.equal(await page.locator("li.card").first().getAttribute("data-provider"), "zai");
      // Focus stays on the moved card's buttons for the next key press.
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("aria-label")),
        "Move Z.AI down",
      );
      await save();
      assert.deepEqual(saved().providers.map((p) => p.id), ["zai", "anthropic"]);
      await page.locator("li.card[data-provider=anthropic] .handle").dragTo(
        page.locator("li.card[data-provider=zai]"),
        { targetPosition: { x: 200, y: 10 } },
      );
      assert.equal(
        await page.locator("li.card").first().getAttribute("data-provider"),
        "anthropic",
        "dragged to the top",
      );
      await page.getByRole("button", { name: "Discard" }).click();
      assert.equal(await page.locator("li.card").first().getAttribute("data-provider"), "zai");

      // --- Disable, save. ---
      await card.getByRole("switch", { name: "Enabled: Z.AI" }).uncheck();
      await card.getByText("edited").waitFor();
      await save();
      assert.equal(saved().providers.find((p) => p.id === "zai")!.enabled, false);
      await card.getByText("disabled").first().waitFor();

      // --- Test against the mock upstream (a probe works on a disabled provider too). ---
      const before = upstream.received.length;
      await card.getByRole("button", { name: "Test Z.AI" }).click();
      await card.getByText(/✓ Test passed · HTTP 200 · \d+ ms · model glm-fast/).waitFor();
      assert.equal(upstream.received.length, before + 1);
      // One of the stored keys, as Bearer (the preset's auth header); keys rotate.
      assert.ok(
        [`Bearer ${KEY_1}`, `Bearer ${KEY_2}`].includes(
          upstream.received.at(-1)!.headers.get("authorization")!,
        ),
      );
      // A passthrough provider needs a key typed in for its test.
      const anthropic = page.locator("li.card[data-provider=anthropic]");
      assert.equal(
        await anthropic.getByRole("button", { name: "Test Anthropic" }).isDisabled(),
        true,
      );
      await anthropic.getByLabel("API key to test Anthropic with").fill(
        "sk-ant-client-key-000000000",
      );
      await anthropic.getByRole("button", { name: "Test Anthropic" }).click();
      await anthropic.getByText(/✓ Test passed · HTTP 200/).waitFor();
      await shot(page, "07-disabled-and-tested", page.locator("#chain"));

      // --- Settings. ---
      await page.getByLabel("Cooldown (seconds)", { exact: true }).fill("30");
      await page.getByLabel("Fall back on these status codes").fill("429, 200");
      await page.getByText('"200" is not an HTTP error status').waitFor();
      await page.getByLabel("Fall back on these status codes").fill("429, 500, 529");
      await save();
      assert.equal(saved().cooldownSeconds, 30);
      assert.deepEqual(saved().fallbackOn, [429, 500, 529]);

      // --- Access keys: created once with a copy button, used in the Connect lines, revoked. ---
      await page.getByLabel("Label for a new key").fill("alice-laptop");
      await page.getByRole("button", { name: "Create access key" }).click();
      const created = (await page.locator("#created-key").textContent())!;
      assert.match(created, /^dtr_/);
      await page.getByRole("button", { name: "Copy the new access key" }).waitFor();
      await page.locator("#connect").getByText(
        `export ANTHROPIC_CUSTOM_HEADERS="x-detour-key: ${created}"`,
      )
        .waitFor();
      await page.locator("#connect").getByText(`export ANTHROPIC_BASE_URL=${detour.url}`).waitFor();
      await page.locator("#connect").getByText("export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1")
        .waitFor();
      await shot(page, "08-access-key-created", page.locator("#access"));
      await shot(page, "09-connect-claude-code", page.locator("#connect"));
      // It works against the proxy: stored keys are spent for it.
      const viaKey = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-detour-key": created },
        body: JSON.stringify({ model: "claude-x", max_tokens: 1, messages: [] }),
      });
      await viaKey.body?.cancel();
      await page.getByRole("button", { name: "I have copied it" }).click();
      await page.reload();
      await hydrated();
      assert.ok(!(await page.content()).includes(created), "shown only once");
      await page.getByRole("button", { name: "Revoke alice-laptop" }).click();
      await page.getByRole("button", { name: "Revoke now alice-laptop" }).click();
      await page.locator("tr[data-access-key=alice-laptop]").waitFor({ state: "detached" });
      assert.equal(detour.deps.accessKeys.empty, true);

      // --- Import a claude-code-fallback list (through the validated PUT). ---
      await page.getByLabel("A Detour config, or a claude-code-fallback provider list").fill(
        JSON.stringify([{ name: "Broken", baseUrl: "not a url", apiKey: "legacy-0123456789" }]),
      );
      await page.getByRole("button", { name: "Import" }).click();
      await page.getByText(/providers\.1\.baseUrl/).first().waitFor();
      assert.equal(saved().providers.length, 2, "a bad import changes nothing");
      await page.getByLabel("A Detour config, or a claude-code-fallback provider list").fill(
        JSON.stringify([{
          name: "My GLM",
          baseUrl: `${upstream.url}/v1/messages`,
          apiKey: "legacy-0123456789",
        }]),
      );
      await page.getByRole("button", { name: "Import" }).click();
      await page.getByText("Imported: 2 provider(s)").waitFor();
      await page.locator("li.card[data-provider=my-glm]").waitFor();
      assert.deepEqual(saved().providers.map((p) => p.id), ["anthropic", "my-glm"]);

      // --- The session ends while there are unsaved edits: log in again in another tab, save. ---
      await page.getByLabel("Cooldown (seconds)", { exact: true }).fill("45");
      const other = await context.newPage();
      await other.goto(`${detour.url}/admin`);
      await other.getByRole("button", { name: "Log out" }).click();
      await other.getByText("You are logged out.").waitFor();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Your session has ended.").waitFor();
      assert.equal(await page.getByLabel("Cooldown (seconds)", { exact: true }).inputValue(), "45");
      await other.getByLabel("Admin token").fill(detour.adminToken);
      await other.getByRole("button", { name: "Log in" }).click();
      await other.waitForURL(`${detour.url}/admin`);
      await other.close();
      await save();
      assert.equal(saved().cooldownSeconds, 45, "saved with the new session's CSRF token");

      // --- Phone width, dark mode. ---
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme: "dark",
        storageState: await context.storageState(),
        deviceScaleFactor: 2,
      });
      const small = await phone.newPage();
      await small.goto(`${detour.url}/admin`);
      await hydratedPage(small);
      const overflow = await small.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
      await shot(small, "10-phone-dark");
      await small.locator("li.card[data-provider=my-glm]").getByRole("button", {
        name: "Edit My GLM",
      })
        .click();
      await shot(
        small,
        "11-phone-dark-editor",
        small.locator("li.card[data-provider=my-glm] .editor-wrap"),
      );
      await shot(small, "12-phone-dark-connect", small.locator("#connect"));
      await phone.close();

      // --- Log out, and be locked out. ---
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByText("You are logged out.").waitFor();
      await shot(page, "13-logged-out");
      await page.goto(`${detour.url}/admin`);
      assert.equal(new URL(page.url()).pathname, "/admin/login");
      const api = await page.request.get(`${detour.url}/admin/api/config`);
      assert.equal(api.status(), 401);
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser?.close();
      await detour.close();
      await upstream.close();
    }
  },
});
