/**
 * Real-browser test helpers: Debian's chromium driven by playwright-core, a logged-in admin page,
 * and screenshots into tests/screenshots/ (git-ignored) for a reviewer to look at.
 */
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const SHOTS = new URL("../screenshots/", import.meta.url);

/** Launches headless chromium with the flags the project's rules name. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 30_000,
  });
}

/** A screenshot of the viewport, with `focus` (if any) scrolled to the top. */
export async function shot(page: Page, name: string, focus?: Locator): Promise<void> {
  await Deno.mkdir(SHOTS, { recursive: true });
  if (focus) await focus.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, animations: "disabled" });
}

/** Page errors and console errors (other than refused resources a test asks for on purpose). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      errors.push(m.text());
    }
  });
  return errors;
}

/** Resolves once the islands have hydrated. */
export function hydrated(page: Page): Promise<unknown> {
  return page.waitForFunction(() => document.documentElement.classList.contains("hydrated"));
}

/** Opens a new page on `url`/admin and logs in with `token`; resolves once hydrated. */
export async function openAdmin(
  browser: Browser,
  url: string,
  token: string,
  viewport = { width: 1280, height: 1000 },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = collectPageErrors(page);
  await page.goto(`${url}/admin`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${url}/admin`);
  await hydrated(page);
  return { page, errors };
}
