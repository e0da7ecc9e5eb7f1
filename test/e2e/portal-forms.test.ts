import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  balanceText,
  createApiKeyInPage,
  debitThroughApi,
  fillCard,
  markNoReload,
  saveScreenshot,
  signUp,
  signUpAndTopUp25,
  startBrowserHarness,
  wasNotReloaded,
  type BrowserHarness,
} from "./browser-harness";

/**
 * The portal's forms as a user meets them (issue 12, rough edges 5-9), in English and
 * German: amounts parsed by the UI language's rules, errors in the user's language and
 * in money before anything is sent, a cancelled checkout, the auto top-up form that
 * follows the live state. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ worker: true });
});
afterAll(() => h?.close());

const text = (page: Page, testid: string) =>
  page.getByTestId(testid).evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

/** A user name no other run of this file used, to find its rows in the database. */
const uniqueName = (prefix: string) => `${prefix} ${Date.now()}`;

/** Every request the page sends to POST /topups. */
function countTopupPosts(page: Page): () => number {
  let count = 0;
  page.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === "/api/v1/topups") count++;
  });
  return () => count;
}

describe("amounts by the UI language's rules (point 9) and errors in money (point 8)", () => {
  it("English: 10.999 and 1.000 are refused as ambiguous, 0.50 is below the minimum, 1,000 asks for confirmation", async () => {
    const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 1000 } });
    await signUp(page, h.base, "Parse Ltd");
    const posts = countTopupPosts(page);
    const input = page.getByTestId("topup-custom-input");

    for (const typed of ["10.999", "1.000"]) {
      await input.fill(typed);
      await page.getByTestId("topup-custom-submit").click();
      await expect.poll(() => text(page, "topup-custom-error")).toBe(
        "Is that a decimal point or a thousands separator? Write amounts like 1,234.50.",
      );
    }
    await input.fill("0.50");
    await page.getByTestId("topup-custom-submit").click();
    await expect.poll(() => text(page, "topup-custom-error")).toBe("Minimum €1.00.");
    await saveScreenshot(page, "topup-min-en");

    await input.fill("1,000");
    await page.getByTestId("topup-custom-submit").click();
    await expect.poll(() => text(page, "confirm-dialog")).toContain("Top up €1,000.00?");
    await saveScreenshot(page, "topup-confirm-en");
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(posts()).toBe(0);

    await input.fill("12.50");
    await page.getByTestId("topup-custom-submit").click();
    await page.waitForURL(/\/simulated-checkout\//);
    expect(await page.textContent("body")).toContain("€12.50");
    expect(posts()).toBe(1);
    await page.close();
  });

  it("German: 1.000 is one thousand (confirmed), 10,999 is ambiguous, 0,50 is below the minimum", async () => {
    const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1000 } });
    await signUp(page, h.base, "Parse GmbH");
    const posts = countTopupPosts(page);
    const input = page.getByTestId("topup-custom-input");

    await input.fill("10,999");
    await page.getByTestId("topup-custom-submit").click();
    await expect.poll(() => text(page, "topup-custom-error")).toBe(
      "Ist das ein Dezimal- oder ein Tausendertrennzeichen? Schreiben Sie Beträge wie 1.234,50.",
    );
    await input.fill("0,50");
    await page.getByTestId("topup-custom-submit").click();
    await expect.poll(() => text(page, "topup-custom-error")).toBe("Mindestens 1,00 €.");
    await saveScreenshot(page, "topup-min-de");

    await input.fill("1.000");
    await page.getByTestId("topup-custom-submit").click();
    await expect.poll(() => text(page, "confirm-dialog")).toContain("1.000,00 € aufladen?");
    expect(posts()).toBe(0);
    await page.getByTestId("confirm-submit").click();
    await page.waitForURL(/\/simulated-checkout\//);
    expect(posts()).toBe(1);
    await page.close();
  });
});

describe("a cancelled checkout (point 5)", () => {
  for (const [locale, title] of [
    ["en-US", "Top-up of €25.00 canceled"],
    ["de-DE", "Aufladung über 25,00 € abgebrochen"],
  ] as const) {
    it(`${locale}: "Cancel and return" shows the top-up cancelled, not pending, and marks it expired`, async () => {
      const page = await h.browser.newPage({ locale, viewport: { width: 1280, height: 1000 } });
      const name = uniqueName("Cancel Co");
      await signUp(page, h.base, name);
      await page.getByTestId("topup-25").click();
      await page.waitForURL(/\/simulated-checkout\//);
      await page.locator("a.back").click();
      await page.waitForURL(`${h.base}/`);
      await expect.poll(() => text(page, "topup-notice")).toContain(title);
      const [row] = await h.ctx.deps.database.sql<{ status: string }[]>`
        SELECT t.status FROM topups t JOIN account_members am ON am.account_id = t.account_id
          JOIN users u ON u.id = am.user_id WHERE u.name = ${name} ORDER BY t.created_at DESC LIMIT 1`;
      expect(row!.status).toBe("expired");
      await page.close();
    });
  }
});

describe("the auto top-up form (points 6 and 7)", () => {
  it("English: a cooldown of 'abc' is refused in the browser and nothing is saved", async () => {
    const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 1200 } });
    const name = uniqueName("Cooldown Ltd");
    await signUpAndTopUp25(page, h.base, name);
    await page.reload();
    let puts = 0;
    page.on("request", (req) => {
      if (req.method() === "PUT" && req.url().endsWith("/api/v1/auto-topup")) puts++;
    });
    await page.getByTestId("autotopup-enabled").check();
    await page.getByTestId("autotopup-cooldown").fill("abc");
    await page.getByTestId("autotopup-amount").fill("0.5");
    await page.getByTestId("autotopup-save").click();
    await expect.poll(() => text(page, "autotopup-cooldown-error")).toBe("Enter whole minutes from 0 to 43200.");
    expect(await text(page, "autotopup-amount-error")).toBe("Minimum €1.00.");
    expect(await page.getByTestId("autotopup-saved").count()).toBe(0);
    expect(puts).toBe(0);
    await saveScreenshot(page, "autotopup-errors-en");

    await page.getByTestId("autotopup-cooldown").fill("15");
    await page.getByTestId("autotopup-amount").fill("20");
    await page.getByTestId("autotopup-save").click();
    await expect.poll(() => page.getByTestId("autotopup-saved").count()).toBe(1);
    const [saved] = await h.ctx.deps.database.sql<{ cooldown_minutes: number }[]>`
      SELECT s.cooldown_minutes FROM auto_topup_settings s JOIN account_members am ON am.account_id = s.account_id
        JOIN users u ON u.id = am.user_id WHERE u.name = ${name}`;
    expect(saved!.cooldown_minutes).toBe(15);
    await page.close();
  });

  it("German: the third failure turns auto top-up off live and the 'Enabled' box follows without a reload", async () => {
    const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1200 } });
    const name = uniqueName("Ausfall GmbH");
    await signUp(page, h.base, name);
    // 4000 0000 0000 0341: checkout saves it, every later off-session charge is declined.
    await page.getByTestId("topup-25").click();
    await page.waitForURL(/\/simulated-checkout\//);
    await fillCard(page, "4000000000000341");
    await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
    await page.waitForURL(/\/\?topup=|\/$/);
    await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
    await page.reload();

    await page.getByTestId("autotopup-enabled").check();
    await page.getByTestId("autotopup-threshold").fill("10");
    await page.getByTestId("autotopup-amount").fill("20");
    await page.getByTestId("autotopup-cooldown").fill("0");
    await page.getByTestId("autotopup-save").click();
    await expect.poll(() => page.getByTestId("autotopup-saved").count()).toBe(1);
    await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
    // Two failures already: the next one is the third.
    await h.ctx.deps.database.sql`
      UPDATE auto_topup_settings s SET consecutive_failures = 2 FROM account_members am JOIN users u ON u.id = am.user_id
       WHERE am.account_id = s.account_id AND u.name = ${name}`;
    await page.reload();
    await expect.poll(() => text(page, "autotopup-failures")).toBe(
      "Fehlgeschlagene Versuche in Folge: 2 von 3. Bei 3 schaltet sich die automatische Aufladung ab.",
    );
    await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
    await markNoReload(page);

    const secret = await createApiKeyInPage(page, "e2e");
    expect((await debitThroughApi(h.base, secret, 1_600, "Big job")).status).toBe(201);

    await expect.poll(() => page.getByTestId("autotopup-disabled").count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId("autotopup-enabled").isChecked()).toBe(false);
    expect(await wasNotReloaded(page)).toBe(true);
    // The attempt is in the history with its reason, and every text is German.
    await expect.poll(() => text(page, "autotopup-history")).toMatch(/20,00 € · fehlgeschlagen\s*Ihre Karte wurde abgelehnt\./);
    expect(await text(page, "autotopup-disabled")).toContain("Nach 3 fehlgeschlagenen Versuchen in Folge abgeschaltet. Zuletzt: Ihre Karte wurde abgelehnt.");
    await saveScreenshot(page, "autotopup-disabled-live-de");
    await page.close();
  });
});

describe("one-click top-up inside 'Add funds' (point 13)", () => {
  for (const [locale, title, balance, done] of [
    ["en-US", "Charge €40.00 to VISA •••• 4242?", "€65.00", "€40.00 added to your balance."],
    ["de-DE", "40,00 € von VISA •••• 4242 abbuchen?", "65,00 €", "40,00 € wurden Ihrem Guthaben gutgeschrieben."],
  ] as const) {
    it(`${locale}: pick the saved card and any amount, confirm with the card shown, no checkout`, async () => {
      const page = await h.browser.newPage({ locale, viewport: { width: 1280, height: 1000 } });
      await signUpAndTopUp25(page, h.base, uniqueName("OneClick"));
      await page.reload();
      await expect.poll(() => page.getByTestId("topup-pay-card").isChecked()).toBe(true);
      await page.getByTestId("topup-custom-input").fill("40");
      await page.getByTestId("topup-custom-submit").click();
      await expect.poll(() => text(page, "confirm-dialog")).toContain(title);
      await saveScreenshot(page, `one-click-confirm-${locale}`);
      await page.getByTestId("confirm-submit").click();
      await expect.poll(() => text(page, "one-click-result"), { timeout: 10_000 }).toBe(done);
      await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe(balance);
      expect(page.url()).toBe(`${h.base}/`);

      // "Another card (checkout)" goes to checkout as before.
      await page.getByTestId("topup-pay-checkout").check();
      await page.getByTestId("topup-10").click();
      await page.waitForURL(/\/simulated-checkout\//);
      await page.close();
    });
  }
});
