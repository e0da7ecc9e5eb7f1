import { mkdirSync } from "node:fs";
import { serve, type ServerType } from "@hono/node-server";
import type { Runner } from "graphile-worker";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import { startWorker } from "../../workers/start-worker";
import { createTestContext, type TestContext } from "../harness";
import { freePort } from "./free-port";

export interface BrowserHarness {
  ctx: TestContext;
  /** e.g. http://localhost:41234: the app served over real HTTP. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The app as `npm start` composes it, served on a free port, plus Debian's chromium
 * through playwright-core (CHROMIUM_PATH overrides /usr/bin/chromium) and, with
 * `worker`, the graphile-worker; `env` overrides configuration (e.g. STRIPE_SECRET_KEY).
 * Needs a built portal (npm run build:portal).
 */
export async function startBrowserHarness(options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<BrowserHarness> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const ctx = await createTestContext({ PUBLIC_URL: base, ...options.env });
  const server: ServerType = serve({ fetch: ctx.app.fetch, port, hostname: "127.0.0.1" });
  const worker: Runner | null = options.worker ? await startWorker(ctx.deps) : null;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  return {
    ctx,
    base,
    browser,
    close: async () => {
      await browser.close();
      await worker?.stop();
      server.close();
      await ctx.close();
    },
  };
}

/** The balance figure's text, with the non-breaking spaces Intl puts in "25,00 €" made plain. */
export const balanceText = (page: Page) =>
  page.getByTestId("balance").evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

/** Marks the page so a later check can tell it was not reloaded. */
export const markNoReload = (page: Page) =>
  page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));

/** True when the page is the same document markNoReload marked. */
export const wasNotReloaded = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload === true);

/** Debits `amount` minor units through the public API with an API key. */
export const debitThroughApi = (base: string, apiKey: string, amount: number, description: string) =>
  fetch(`${base}/api/v1/usage`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ amount, description }),
  });

/** Creates an API key (all scopes) with the page's session, as the portal would; returns its secret. */
export const createApiKeyInPage = (page: Page, name: string) =>
  page.evaluate(async (keyName) => {
    const res = await fetch("/api/v1/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: keyName }),
    });
    return ((await res.json()) as { secret: string }).secret;
  }, name);

/** Signs up a new user (the account's owner) with a fresh email; resolves on the dashboard. */
export async function signUp(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByTestId("signup-name").fill(name);
  await page.getByTestId("signup-email").fill(`e2e_${Date.now()}_${Math.random().toString(36).slice(2)}@example.test`);
  await page.getByTestId("signup-password").fill("a long enough password");
  await page.getByTestId("signup-submit").click();
  await page.waitForURL(`${base}/`);
}

/**
 * Signs up a new user in the portal and pays 25.00 through the simulated checkout with
 * the card that always succeeds (which also saves it); resolves on the dashboard.
 */
export async function signUpAndTopUp25(page: Page, base: string, name: string): Promise<void> {
  await signUp(page, base, name);
  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
}

/** Fills the simulated checkout's card fields: `card`, a future expiry (or `expiry`) and CVC 123 (or `cvc`). */
export async function fillCard(page: Page, card: string, fields: { expiry?: string; cvc?: string } = {}): Promise<void> {
  await page.locator("#card").fill(card);
  await page.locator("#expiry").fill(fields.expiry ?? `12 / ${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`);
  await page.locator("#cvc").fill(fields.cvc ?? "123");
}

/**
 * Turns auto top-up on in the dashboard's card at `threshold` / `amount` (as typed, e.g.
 * "10" / "20") and saves; resolves when PUT /auto-topup answered 200 and the live stream
 * is connected.
 */
export async function enableAutoTopupInPage(page: Page, threshold: string, amount: string): Promise<void> {
  await page.getByTestId("autotopup-enabled").check();
  await page.getByTestId("autotopup-threshold").fill(threshold);
  await page.getByTestId("autotopup-amount").fill(amount);
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/auto-topup") && r.request().method() === "PUT");
  await page.getByTestId("autotopup-save").click();
  if ((await saved).status() !== 200) throw new Error(`PUT /auto-topup answered ${(await saved).status()}`);
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
}

/** Saves a full-page screenshot under test-results/ (kept by CI as the run's picture). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}
