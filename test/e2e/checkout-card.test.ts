import { afterAll, beforeAll, expect, it } from "vitest";
import { balanceText, fillCard, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Issue 12 point 18: the simulated checkout checks expiry and CVC as Stripe's test mode
 * does; bad input shows Stripe's message on the page and charges nothing.
 * Point 15: the top-up form asks whether to save the card; "Add a card" returns with a message.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

it("a past expiry and a short CVC are shown on the checkout page and charge nothing; fixed, the payment goes through", async () => {
  const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  await signUp(page, h.base, "Expiry Ltd");
  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);

  await fillCard(page, "4242424242424242", { expiry: "01 / 20" });
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await expect.poll(() => page.getByTestId("card-error").textContent()).toBe("Your card's expiration date is in the past.");

  await fillCard(page, "4242424242424242", { cvc: "12" });
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await expect.poll(() => page.getByTestId("card-error").textContent()).toBe("Your card's security code is incomplete.");
  expect(page.url()).toMatch(/\/simulated-checkout\//);

  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€25.00");
  await page.close();
});

it("unticking 'save this card' pays without saving it; 'Add a card' returns with a clear message (point 15)", async () => {
  const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  await signUp(page, h.base, "No Save Ltd");
  const save = page.getByTestId("topup-save-card");
  expect(await save.isChecked()).toBe(true);
  await save.uncheck();
  await page.getByTestId("topup-10").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€10.00");

  await page.goto(`${h.base}/payment-methods`);
  await expect.poll(() => page.getByText("No saved card yet").count()).toBe(1);
  await page.getByTestId("card-add").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: "Save card" }).click();
  await page.waitForURL(/\/payment-methods\?setup=done/);
  await expect.poll(() => page.getByTestId("card-setup-result").textContent()).toContain("Card added.");
  await expect.poll(() => page.getByTestId("cards-list").textContent()).toContain("4242");
  await page.close();
});
