import { mkdirSync } from "node:fs";
import { serve, type ServerType } from "@hono/node-server";
import type { Runner } from "graphile-worker";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorker } from "../../workers/start-worker";
import { createTestContext, type TestContext } from "../harness";
import { freePort } from "./free-port";

/**
 * Auto top-up in a real browser, with the graphile-worker running as in `npm start`: sign up,
 * pay 25.00 once through checkout (saves the card), enable auto top-up at threshold 10.00 /
 * amount 20.00 in the portal, debit 16.00 through the API, and watch the auto top-up credit
 * arrive on the dashboard without a reload. Needs a built portal (npm run build:portal).
 */
let ctx: TestContext;
let server: ServerType;
let browser: Browser;
let worker: Runner;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  ctx = await createTestContext({ PUBLIC_URL: base });
  server = serve({ fetch: ctx.app.fetch, port, hostname: "127.0.0.1" });
  worker = await startWorker(ctx.deps);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  server?.close();
  await ctx?.close();
});

const balanceText = (page: Page) =>
  page.getByTestId("balance").evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

it("enable auto top-up at 10.00 / 20.00, debit below 10.00 through the API, see the credit arrive live", async () => {
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1200 } });
  await page.goto(`${base}/signup`);
  await page.getByTestId("signup-name").fill("Auto GmbH");
  await page.getByTestId("signup-email").fill(`auto_${Date.now()}@example.test`);
  await page.getByTestId("signup-password").fill("a long enough password");
  await page.getByTestId("signup-submit").click();
  await page.waitForURL(`${base}/`);

  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await page.locator("#card").fill("4242424242424242");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await page.reload(); // the saved card shows up on the next load
  await expect.poll(() => page.getByTestId("one-click-topup").textContent()).toMatch(/25,00\s€.*4242/);

  await page.getByTestId("autotopup-enabled").check();
  await page.getByTestId("autotopup-threshold").fill("10");
  await page.getByTestId("autotopup-amount").fill("20");
  await page.getByTestId("autotopup-save").click();
  await expect.poll(() => page.getByText("Auto top-up saved.").count()).toBe(1);
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);

  const secret = await page.evaluate(async () => {
    const res = await fetch("/api/v1/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "e2e" }),
    });
    return ((await res.json()) as { secret: string }).secret;
  });
  await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));

  const res = await fetch(`${base}/api/v1/usage`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ amount: 1_600, description: "Big job" }),
  });
  expect(res.status).toBe(201);

  // 25.00 - 16.00 = 9.00 < 10.00: the worker charges 20.00 -> 29.00, pushed over the live stream.
  await expect.poll(() => balanceText(page), { timeout: 15_000 }).toBe("29,00 €");
  expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  await expect.poll(() => page.getByTestId("live-notice").textContent(), { timeout: 5_000 }).toContain("succeeded");
  await expect.poll(() => page.getByTestId("autotopup-last").textContent()).toContain("succeeded");

  // The saved cards page lists the card checkout saved, as the default.
  await page.goto(`${base}/payment-methods`);
  await expect.poll(() => page.getByTestId("cards-list").textContent()).toMatch(/VISA •••• 4242\s*Default/);

  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: "test-results/auto-topup.png", fullPage: true });
  await page.close();
});
