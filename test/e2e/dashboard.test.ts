import { afterAll, beforeAll, expect, it } from "vitest";
import {
  balanceText,
  debitThroughApi,
  markNoReload,
  saveScreenshot,
  signUpAndTopUp25,
  startBrowserHarness,
  wasNotReloaded,
  type BrowserHarness,
} from "./browser-harness";

/**
 * The main job, in a real browser (Debian's chromium through playwright-core): sign up,
 * top up 25.00 through the simulated checkout, see 25,00 €, debit 3.00 through the API,
 * see 22,00 € appear without a reload. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

it("sign up, top up through checkout, watch a debit arrive live", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
  await signUpAndTopUp25(page, base, "E2E GmbH");
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
  // The browser's language picks the UI language.
  expect(await page.locator("html").getAttribute("lang")).toBe("de");
  expect(await page.getByTestId("topup-25").getAttribute("aria-label")).toMatch(/^25\s€ aufladen$/);

  // An API key for the platform, created through the portal (shown once).
  await page.goto(`${base}/api-keys`);
  await page.getByTestId("apikey-name").fill("e2e platform");
  await page.getByTestId("apikey-create").click();
  const secret = (await page.getByTestId("apikey-secret").textContent())!.trim();
  expect(secret).toMatch(/^lb_sk_/);

  await page.goto(`${base}/`);
  await expect.poll(() => balanceText(page)).toBe("25,00 €");
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
  await markNoReload(page);

  const res = await debitThroughApi(base, secret, 300, "E2E usage");
  expect(res.status).toBe(201);

  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("22,00 €");
  expect(await wasNotReloaded(page)).toBe(true);
  await expect.poll(() => page.getByTestId("transactions-list").textContent()).toContain("E2E usage");

  await saveScreenshot(page, "dashboard");
  await page.close();
});

it("sign-up refuses a common password and says why at the password field", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "en-US" });
  await page.goto(`${base}/signup`);
  await page.getByTestId("signup-name").fill("Weak Password Ltd");
  await page.getByTestId("signup-email").fill(`e2e_weak_${Date.now()}@example.test`);
  await page.getByTestId("signup-password").fill("password1");
  await page.getByTestId("signup-submit").click();
  await expect.poll(() => page.locator("#signup-password-error").textContent()).toMatch(/one of the most common/);
  expect(await page.getByTestId("signup-password").getAttribute("aria-invalid")).toBe("true");
  expect(page.url()).toBe(`${base}/signup`);
  await page.close();
});
