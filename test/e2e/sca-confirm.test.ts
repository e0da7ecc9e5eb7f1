import { afterAll, beforeAll, expect, it } from "vitest";
import * as harness from "./browser-harness";
import { balanceText, enableAutoTopupInPage, fillCard } from "./browser-harness";

/**
 * Strong customer authentication in a real browser, with the worker running as in `npm start`
 * and the simulated provider: pay 25.00 once with the card that asks for authentication
 * (4000002500003155, which saves it), enable auto top-up at 10.00 / 20.00, debit 16.00 through
 * the API. The off-session charge needs authentication: auto top-up pauses and the portal links
 * to our confirm page (/pay/confirm/<topup>), which leads to the simulated bank's page and back;
 * once confirmed the page says so, the balance shows 29.00 and auto top-up runs again.
 * Needs a built portal (npm run build:portal).
 */
let h: harness.BrowserHarness;
beforeAll(async () => {
  h = await harness.startBrowserHarness({ worker: true });
});
afterAll(() => h?.close());

it("a paused auto top-up is confirmed through our confirm page and the bank's page, then credited", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 1200 } });
  await harness.signUp(page, base, "SCA Ltd");
  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await fillCard(page, "4000002500003155");
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€25.00");
  await page.reload(); // the saved card shows up on the next load

  await enableAutoTopupInPage(page, "10", "20");

  const secret = await harness.createApiKeyInPage(page, "e2e");
  expect((await harness.debitThroughApi(base, secret, 1_600, "Big job")).status).toBe(201);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€9.00");

  // The worker's charge needs authentication: the portal shows the pause with the confirm link.
  const confirmLink = page.getByRole("link", { name: "Confirm payment" });
  await expect
    .poll(
      async () => {
        if ((await confirmLink.count()) === 0) await page.reload();
        return confirmLink.count();
      },
      { timeout: 15_000, interval: 1_000 },
    )
    .toBe(1);
  expect(await confirmLink.getAttribute("href")).toMatch(new RegExp(`^${base}/pay/confirm/tu_`));
  await confirmLink.click();

  await page.waitForURL(/\/pay\/confirm\/tu_/);
  const confirmUrl = page.url();
  await expect.poll(() => page.getByRole("heading", { name: "Confirm your payment" }).count()).toBe(1);
  expect(await page.getByTestId("confirm-amount").textContent()).toBe("€20.00");
  expect(await page.textContent("body")).toContain("Auto top-up is paused until you do.");
  await page.getByRole("button", { name: "Confirm payment" }).click();

  await page.waitForURL(/\/simulated-checkout\/confirm\/pi_sim_/);
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await page.waitForURL(confirmUrl);
  await expect.poll(() => page.getByRole("heading", { name: "Payment confirmed" }).count()).toBe(1);
  expect(await page.textContent("body")).toContain("Auto top-up is running again.");
  await harness.saveScreenshot(page, "sca-confirmed");

  await page.getByRole("link", { name: "Back to your balance" }).click();
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€29.00");
  await expect.poll(() => page.getByRole("link", { name: "Confirm payment" }).count()).toBe(0);
  await page.close();
});
