import { afterAll, beforeAll, expect, it } from "vitest";
import { balanceText, fillCard, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Issue 12 in German, in a real browser: the simulated checkout and its decline in German,
 * German money and dates on the dashboard, the month's figures on the balance card, the
 * account's name readable in the header at 1280 px; a transaction's details drawer; editing
 * a webhook endpoint and rolling its secret. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

const text = (page: import("playwright-core").Page, testId: string) =>
  page.getByTestId(testId).first().evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

it("de: checkout, decline reason, formats and the header name, then a transaction's details", async () => {
  const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
  const name = "Müller Sanitär und Heizung GmbH";
  await signUp(page, h.base, name);

  // The account's name is readable next to the German navigation at 1280 px, not cut to a few letters.
  const width = await page.getByTestId("account-name").evaluate((el) => el.getBoundingClientRect().width);
  expect(width).toBeGreaterThan(120);

  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  expect(await page.locator("html").getAttribute("lang")).toBe("de");
  expect(await page.locator("h1").textContent()).toBe("Mit Karte zahlen");
  await fillCard(page, "4000000000000002");
  await page.getByRole("button", { name: "25,00 € bezahlen" }).click();
  await expect.poll(() => page.getByTestId("card-error").textContent()).toBe("Ihre Karte wurde abgelehnt.");
  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: /bezahlen$/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);

  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await expect.poll(() => text(page, "balance-month-topups")).toBe("25,00 €");
  expect(await text(page, "balance-month-usage")).toBe("0,00 €");
  expect(await text(page, "balance-available")).toBe("25,00 €");
  const row = page.getByTestId("transaction-row").first();
  await expect.poll(() => row.textContent()).toContain("Aufladung");
  // German dates: "03.12.2026, 04:30", never "Dec 3, 2026, 4:30 AM".
  expect(await row.locator("time").textContent()).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);

  await page.goto(`${h.base}/transactions?type=topup`);
  await page.getByTestId("transaction-open").first().click();
  const drawer = page.getByTestId("transaction-details");
  await expect.poll(() => text(page, "transaction-details-amount")).toBe("+25,00 €");
  await expect.poll(() => text(page, "transaction-details-topup")).toContain("Checkout");
  expect(await drawer.textContent()).toContain("Saldo danach");
  await page.getByTestId("transaction-details-close").click();
  await expect.poll(() => drawer.isVisible()).toBe(false);

  await page.getByTestId("filter-q").fill("nichts dergleichen");
  await page.getByTestId("filter-apply").click();
  await expect.poll(() => page.url()).toContain("q=nichts");
  await expect.poll(() => page.getByTestId("transactions-list").textContent()).toContain("Keine passenden");
  await page.close();
});

it("de: a webhook endpoint is edited and its secret rolled with the new secret shown once", async () => {
  const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1000 } });
  await signUp(page, h.base, "Hook GmbH");
  await page.goto(`${h.base}/webhooks`);
  await page.getByTestId("webhook-url").fill("https://example.com/hooks");
  await page.getByTestId("webhook-event-all").check();
  await page.getByTestId("webhook-create").click();
  await page.getByTestId("webhook-secret-done").click();

  await page.getByTestId("webhook-edit").click();
  const form = page.getByTestId("webhook-edit-form");
  // The edit form's ids and test ids carry the endpoint's id (one form per row).
  await form.locator('input[type="url"]').fill("https://example.org/neu");
  await form.locator('input[id$="-description"]').fill("Abrechnung");
  await form.getByTestId("webhook-save").click();
  await expect.poll(() => text(page, "webhook-url-text")).toBe("https://example.org/neu");
  expect(await page.getByTestId("webhook-row").textContent()).toContain("Abrechnung");

  await page.getByTestId("webhook-roll").click();
  await page.getByTestId("webhook-roll-overlap").selectOption("24");
  await page.locator("dialog[open]").getByTestId("confirm-submit").click();
  const rolled = page.getByTestId("webhook-rolled-secret");
  await expect.poll(() => rolled.textContent()).toContain("Neues Signatur-Secret");
  expect(await rolled.textContent()).toMatch(/whsec_/);
  expect(await text(page, "webhook-overlap")).toMatch(/^Das alte Secret signiert noch bis /);
  await page.close();
});
