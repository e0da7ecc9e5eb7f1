import { afterAll, beforeAll, expect, it } from "vitest";
import {
  balanceText,
  createApiKeyInPage,
  debitThroughApi,
  enableAutoTopupInPage,
  markNoReload,
  saveScreenshot,
  signUpAndTopUp25,
  startBrowserHarness,
  wasNotReloaded,
  type BrowserHarness,
} from "./browser-harness";

/**
 * Auto top-up in a real browser, with the graphile-worker running as in `npm start`: sign up,
 * pay 25.00 once through checkout (saves the card), enable auto top-up at threshold 10.00 /
 * amount 20.00 in the portal, debit 16.00 through the API, and watch the auto top-up credit
 * arrive on the dashboard without a reload. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ worker: true });
});
afterAll(() => h?.close());

it("enable auto top-up at 10.00 / 20.00, debit below 10.00 through the API, see the credit arrive live", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1200 } });
  await signUpAndTopUp25(page, base, "Auto GmbH");
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await page.reload(); // the saved card shows up on the next load
  await expect.poll(() => page.locator("label", { has: page.getByTestId("topup-pay-card") }).textContent()).toMatch(/VISA •••• 4242/);

  await enableAutoTopupInPage(page, "10", "20");
  await expect.poll(() => page.getByText("Automatisches Aufladen gespeichert.").count()).toBe(1);

  const secret = await createApiKeyInPage(page, "e2e");
  await markNoReload(page);

  const res = await debitThroughApi(base, secret, 1_600, "Big job");
  expect(res.status).toBe(201);

  // 25.00 - 16.00 = 9.00 < 10.00: the worker charges 20.00 -> 29.00, pushed over the live stream.
  await expect.poll(() => balanceText(page), { timeout: 15_000 }).toBe("29,00 €");
  expect(await wasNotReloaded(page)).toBe(true);
  await expect.poll(() => page.getByTestId("live-notice").textContent(), { timeout: 5_000 }).toContain("erfolgreich");
  await expect.poll(() => page.getByTestId("autotopup-last").textContent()).toContain("erfolgreich");

  // The saved cards page lists the card checkout saved, as the default.
  await page.goto(`${base}/payment-methods`);
  await expect.poll(() => page.getByTestId("cards-list").textContent()).toMatch(/VISA •••• 4242\s*Standard/);

  await saveScreenshot(page, "auto-topup");
  await page.close();
});
