/**
 * The admin page's dashboard in a real browser (Debian's chromium, driven by playwright-core):
 * real requests through Detour (a primary answering 529, so it cools down and its circuit
 * degrades, and a backup that serves) show as drawn uPlot charts, tiles, summary tables and the
 * event timeline; the 7 d toggle reloads, and so does a minute passing; a phone keeps the page
 * from scrolling sideways; a Detour without traffic says so.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openAdmin, shot } from "./helpers/browser.ts";
import {
  anthropicMessage,
  mockUpstream,
  type RunningDetour,
  startDetour,
} from "./helpers/harness.ts";
import { BACKUP_KEY, settle, startFailingPrimaryChain } from "./helpers/usage.ts";

const CLIENT_KEY = "sk-ant-api03-client-secret-abcdefghijklmnop";

async function send(detour: RunningDetour, model: string, stream = false): Promise<number> {
  const res = await fetch(`${detour.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": CLIENT_KEY },
    body: JSON.stringify({
      model,
      max_tokens: 5,
      stream,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  await res.text();
  return res.status;
}

/** Resolves once the dashboard has loaded and nothing is loading. */
function dashboardReady(page: Page) {
  return page.waitForFunction(() => {
    const dash = document.querySelector("#dashboard .dash");
    return dash?.getAttribute("aria-busy") === "false" &&
      /Updated/.test(dash.querySelector(".dash-updated")?.textContent ?? "");
  });
}

/**
 * Per chart: the canvas size and how many of its pixels are near each of the given colours
 * (what uPlot drew: the series lines, the event markers), read back from the canvas.
 */
function canvasPixels(page: Page, id: string, colors: string[]) {
  return page.evaluate(({ id, colors }) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`#${id} canvas`);
    if (!canvas) return null;
    const ctx = canvas.getContext("2d")!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const css = getComputedStyle(document.documentElement);
    // Resolve each CSS colour to RGB through a 1x1 canvas, so any CSS syntax works.
    const probe = document.createElement("canvas").getContext("2d")!;
    const rgb = colors.map((c) => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = c.startsWith("--") ? css.getPropertyValue(c).trim() : c;
      probe.fillRect(0, 0, 1, 1);
      return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3));
    });
    const counts = rgb.map(() => 0);
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted++;
      rgb.forEach(([r, g, b], k) => {
        const d = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
        if (d < 40 && data[i + 3] > 160) counts[k]++;
      });
    }
    return { width: canvas.width, height: canvas.height, painted, counts };
  }, { id, colors });
}

/** The text of each cell of a table's footer row ("Total" first). */
function footer(page: Page, id: string) {
  return page.locator(`#${id} .dash-table tfoot tr`).first().locator("th, td").allTextContents();
}

Deno.test({
  name: "dashboard in chromium: tiles, drawn charts per provider, tables, timeline, 7 d, phone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { detour, primaryCalls, close } = await startFailingPrimaryChain();
    let browser: Browser | null = null;
    try {
      // 1: the primary answers 529 (cools down, circuit degraded); the backup serves: a fallback.
      assert.equal(await send(detour, "claude-test-model"), 200);
      // 2, 3: the primary is cooling, the backup serves at once; 3 streams.
      assert.equal(await send(detour, "claude-test-model"), 200);
      assert.equal(await send(detour, "claude-test-model", true), 200);
      // 4: the backup refuses the model (a 400 is the client's fault): an error, no fallback.
      assert.equal(await send(detour, "bad-model"), 400);
      await settle(detour, 4);
      assert.equal(primaryCalls(), 1);

      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      const section = page.locator("#dashboard");
      await section.getByRole("heading", { name: "Dashboard", level: 2 }).waitFor();
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", {
        name: "Dashboard",
      }).click();
      await dashboardReady(page);

      // --- Tiles: 4 requests, 1 fallback (25 %), 1 error, 45 tokens (10 in + 5 out, x3). ---
      const tile = (id: string) => page.locator(`#${id} .dash-tile-value`).textContent();
      assert.equal(await tile("dash-tile-requests"), "4");
      assert.equal(await tile("dash-tile-fallback"), "25%");
      assert.equal(await tile("dash-tile-errors"), "1");
      assert.equal(await tile("dash-tile-tokens"), "45");
      assert.match(
        (await page.locator("#dash-tile-fallback").textContent()) ?? "",
        /1 of 4 fell back/,
      );
      assert.equal(
        await section.getByRole("button", { name: "24 h" }).getAttribute("aria-pressed"),
        "true",
      );

      // --- Charts: four, each a sized canvas with the backup's line in its colour. ---
      for (const title of ["Requests per provider", "Tokens per provider", "Fallback rate"]) {
        await section.getByRole("heading", { name: title, level: 3 }).waitFor();
      }
      await section.getByRole("heading", { name: "Latency per provider", level: 3 }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll("#dashboard canvas").length >= 4);
      // Backup is the second provider: colour slot 2; markers: cooldown amber, circuit red.
      const requests = await canvasPixels(page, "dash-requests", ["--chart-2", "--warn", "--bad"]);
      assert.ok(requests && requests.width > 200 && requests.height > 100, "requests canvas sized");
      assert.ok(requests.counts[0] > 20, `backup's requests line drawn (${requests.counts[0]} px)`);
      assert.ok(requests.counts[1] > 5, "cooldown marker drawn");
      assert.ok(requests.counts[2] > 5, "circuit marker drawn");
      const tokens = await canvasPixels(page, "dash-tokens", ["--chart-2"]);
      assert.ok(tokens && tokens.counts[0] > 20, "backup's tokens line drawn");
      const rate = await canvasPixels(page, "dash-fallback", ["--text"]);
      assert.ok(rate && rate.counts[0] > 10, "fallback rate point drawn");
      const latency = await canvasPixels(page, "dash-latency", ["--chart-2", "--chart-1"]);
      assert.ok(latency && latency.counts[0] > 10, "backup's latency points drawn");
      assert.equal(latency.counts[1], 0, "the primary served nothing: no latency drawn for it");
      // The canvas also exports as an image with content (not a blank one).
      const png = await page.locator("#dash-requests canvas").evaluate((c) =>
        (c as HTMLCanvasElement).toDataURL("image/png").length
      );
      assert.ok(png > 2000, `canvas image has content (${png} chars)`);
      // The canvas has a text alternative with the numbers.
      assert.match(
        (await page.locator("#dash-requests .dash-plot").getAttribute("aria-label")) ?? "",
        /3 requests in this range: Backup 3/,
      );
      await shot(page, "dash-01-charts", section);

      // --- The numbers behind each chart, in tables (legend names, totals). ---
      await page.locator("#dash-requests summary").click();
      assert.deepEqual(await footer(page, "dash-requests"), ["Total", "0", "3"]);
      assert.deepEqual(
        await page.locator("#dash-requests .dash-table thead th").allTextContents(),
        ["Hour", "Anthropic", "Backup"],
      );
      await page.locator("#dash-tokens summary").click();
      assert.deepEqual(await footer(page, "dash-tokens"), ["Total", "0", "45"]);
      await page.locator("#dash-fallback summary").click();
      assert.deepEqual(await footer(page, "dash-fallback"), ["Total", "4", "1", "25%", "1"]);
      await page.locator("#dash-latency summary").click();
      const latencyRows = await page.locator("#dash-latency .dash-table tbody tr")
        .allTextContents();
      assert.equal(latencyRows.length, 2);
      assert.match(latencyRows[0], /Anthropic0——/);
      assert.match(latencyRows[1], /Backup3\d+ ms\d+ ms/);
      // uPlot's legend names every provider's line.
      const legend = await page.locator("#dash-latency .u-legend").textContent();
      assert.match(legend ?? "", /Anthropic p50.*Anthropic p95.*Backup p50.*Backup p95/);
      await shot(page, "dash-02-tables", page.locator("#dash-requests"));

      // --- Timeline: the cooldown and the circuit event, newest first. ---
      const events = page.locator("#dash-events .dash-event");
      assert.equal(await events.count(), 2);
      const texts = await events.allTextContents();
      assert.match(texts[0], /Anthropic.*circuit.*circuit degraded: tried last/);
      assert.match(texts[1], /Anthropic.*cooldown.*cooled down after HTTP 529 until/);
      assert.equal(await page.locator("#dash-events .dash-tick-cooldown").count(), 1);
      assert.equal(await page.locator("#dash-events .dash-tick-circuit").count(), 1);
      await shot(page, "dash-03-timeline", page.locator("#dash-events"));

      // --- 7 d: another fetch, the same totals over 168 hours. ---
      const week = page.waitForResponse((r) => r.url().includes("/usage/series?range=7d"));
      await section.getByRole("button", { name: "7 d" }).click();
      assert.equal((await week).status(), 200);
      await page.waitForFunction(() =>
        /last 7 days/.test(document.querySelector("#dash-events .dash-desc")?.textContent ?? "")
      );
      await dashboardReady(page);
      assert.equal(
        await section.getByRole("button", { name: "7 d" }).getAttribute("aria-pressed"),
        "true",
      );
      assert.equal(await tile("dash-tile-requests"), "4");
      assert.equal(await tile("dash-tile-fallback"), "25%");
      const weekly = await canvasPixels(page, "dash-requests", ["--chart-2"]);
      assert.ok(weekly && weekly.counts[0] > 10, "7 d chart drawn with the backup's line");
      assert.match(
        await section.getByRole("status").textContent() ?? "",
        /last 7 days loaded/,
      );
      await shot(page, "dash-04-week", section);

      // --- Resizing the window resizes the canvases. ---
      const before = await canvasPixels(page, "dash-requests", []);
      await page.setViewportSize({ width: 900, height: 1000 });
      await page.waitForFunction(
        (w) => (document.querySelector("#dash-requests canvas") as HTMLCanvasElement).width < w,
        before!.width,
      );

      // --- Phone width, dark mode: charts fit and use the dark palette; no sideways scrolling. ---
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme: "dark",
        storageState: await page.context().storageState(),
        deviceScaleFactor: 2,
      });
      const small = await phone.newPage();
      const smallErrors: string[] = [];
      small.on("pageerror", (e) => smallErrors.push(String(e)));
      small.on("console", (m) => m.type() === "error" && smallErrors.push(m.text()));
      // A controlled clock, so the minute between refreshes passes at once.
      await small.clock.install();
      await small.goto(`${detour.url}/admin#dashboard`);
      await dashboardReady(small);
      await small.waitForFunction(() => document.querySelectorAll("#dashboard canvas").length >= 4);
      const phoneChart = await canvasPixels(small, "dash-requests", ["--chart-2"]);
      assert.ok(phoneChart && phoneChart.counts[0] > 10, "phone chart drawn");
      // CSS pixels: the canvas fits inside the 390-px viewport.
      const box = await small.locator("#dash-requests canvas").boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= 390,
        `canvas fits: ${JSON.stringify(box)}`,
      );
      await small.locator("#dash-requests summary").click();
      await small.locator("#dash-fallback summary").click();
      const overflow = await small.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px)`);
      await shot(small, "dash-05-phone", small.locator("#dashboard"));
      await shot(small, "dash-06-phone-timeline", small.locator("#dash-fallback"));

      // --- A minute later the dashboard reloads by itself and shows the new request. ---
      assert.equal(await send(detour, "claude-test-model"), 200);
      await settle(detour, 5);
      const again = small.waitForResponse((r) => r.url().includes("/usage/series?range=24h"));
      await small.clock.fastForward(61_000);
      await again;
      await small.waitForFunction(() =>
        document.querySelector("#dash-tile-requests .dash-tile-value")?.textContent === "5"
      );
      assert.equal(
        await small.locator("#dash-tile-fallback .dash-tile-value").textContent(),
        "20%",
      );
      await phone.close();

      assert.deepEqual(errors, []);
      assert.deepEqual(smallErrors, []);
      // No secret reaches the page.
      assert.ok(!(await page.content()).includes(BACKUP_KEY));
    } finally {
      await browser?.close();
      await close();
    }
  },
});

Deno.test({
  name: "dashboard in chromium: a Detour without traffic shows zero tiles and says so",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const upstream = mockUpstream(() => Response.json(anthropicMessage("hi", "m")));
    const detour = await startDetour({
      providers: [{ id: "a", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
    });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const { page, errors } = await openAdmin(browser, detour.url, detour.adminToken);
      await dashboardReady(page);
      const section = page.locator("#dashboard");
      await section.getByText("No traffic in the last 24 hours yet.").waitFor();
      assert.equal(await page.locator("#dash-tile-requests .dash-tile-value").textContent(), "0");
      assert.equal(await page.locator("#dash-tile-fallback .dash-tile-value").textContent(), "—");
      assert.equal(await section.locator("canvas").count(), 0);
      await shot(page, "dash-07-empty", section);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      await detour.close();
      await upstream.close();
    }
  },
});
