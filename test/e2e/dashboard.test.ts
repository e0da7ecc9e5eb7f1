import { mkdirSync } from "node:fs";
import { serve, type ServerType } from "@hono/node-server";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../harness";
import { freePort } from "./free-port";

/**
 * The main job, in a real browser (Debian's chromium through playwright-core): sign up,
 * top up 25.00 through the simulated checkout, see 25,00 €, debit 3.00 through the API,
 * see 22,00 € appear without a reload. Needs a built portal (npm run build:portal).
 */
let ctx: TestContext;
let server: ServerType;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  ctx = await createTestContext({ PUBLIC_URL: base });
  server = serve({ fetch: ctx.app.fetch, port, hostname: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await ctx?.close();
});

/** The balance figure's text, with the non-breaking spaces Intl puts in "25,00 €" made plain. */
const balanceText = (page: Page) =>
  page.getByTestId("balance").evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

it("sign up, top up through checkout, watch a debit arrive live", async () => {
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
  const email = `e2e_${Date.now()}@example.test`;

  await page.goto(`${base}/signup`);
  await page.getByTestId("signup-name").fill("E2E GmbH");
  await page.getByTestId("signup-email").fill(email);
  await page.getByTestId("signup-password").fill("a long enough password");
  await page.getByTestId("signup-submit").click();
  await page.waitForURL(`${base}/`);
  await expect.poll(() => balanceText(page)).toBe("0,00 €");

  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await page.locator("#card").fill("4242424242424242");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);

  // An API key for the platform, created through the portal (shown once).
  await page.goto(`${base}/api-keys`);
  await page.getByTestId("apikey-name").fill("e2e platform");
  await page.getByTestId("apikey-create").click();
  const secret = (await page.getByTestId("apikey-secret").textContent())!.trim();
  expect(secret).toMatch(/^lb_sk_/);

  await page.goto(`${base}/`);
  await expect.poll(() => balanceText(page)).toBe("25,00 €");
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
  await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));

  const res = await fetch(`${base}/api/v1/usage`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ amount: 300, description: "E2E usage" }),
  });
  expect(res.status).toBe(201);

  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("22,00 €");
  expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  await expect.poll(() => page.getByTestId("transactions-list").textContent()).toContain("E2E usage");

  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
  await page.close();
});
