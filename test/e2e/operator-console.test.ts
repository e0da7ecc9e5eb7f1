import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOperatorUser, operatorSetPasswordUrl } from "../../db/operators/operator-users";
import { balanceText, markNoReload, saveScreenshot, signUp, startBrowserHarness, wasNotReloaded, type BrowserHarness } from "./browser-harness";

/**
 * The operator console (issue 11 point 6) in Chromium: an operator logs in with password and
 * TOTP, finds a customer by email, credits a goodwill amount with a reason, and the
 * customer's dashboard (a second browser context) shows it live, the reason in their
 * transactions; in German, the analytics page charts and exports what was credited and the
 * audit log names who did it. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

const code = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

/** A new admin operator signed in (set-password link, TOTP enrolment) in its own browser context; resolves on the console. */
async function operatorPage(browser: Browser, locale: string): Promise<Page> {
  const email = `e2e_console_${Date.now()}_${Math.random().toString(36).slice(2)}@example.test`;
  const created = await createOperatorUser(h.ctx.deps.database.sql, { email, role: "admin" }, { actor: "cli" });
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(operatorSetPasswordUrl(h.base, created!.token));
  await page.getByTestId("operator-new-password").fill("operator password 1");
  await page.getByTestId("operator-set-password-submit").click();
  await page.waitForURL(`${h.base}/operator/enrol`);
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByTestId("enrol-code").fill(code(secret));
  await page.getByTestId("enrol-confirm").click();
  await page.getByTestId("recovery-secret-done").click();
  await page.waitForURL(`${h.base}/operator`);
  return page;
}

describe("operator console", () => {
  it("finds a customer by email, credits goodwill with a reason, and the customer sees it live", async () => {
    const customerContext = await h.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const customer = await customerContext.newPage();
    await signUp(customer, h.base, "Goodwill Customer Ltd");
    const email = await customer.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { user: { email: string } }).user.email);
    await expect.poll(() => customer.getByTestId("connection-status").textContent()).toMatch(/Live/);
    await markNoReload(customer);

    const operator = await operatorPage(h.browser, "en-US");
    await operator.getByTestId("account-search").fill(email);
    await expect.poll(() => operator.getByTestId("account-link").allTextContents()).toEqual(["Goodwill Customer Ltd"]);
    await operator.getByTestId("account-link").click();
    await operator.waitForURL(/\/operator\/accounts\/acc_/);
    await expect.poll(() => operator.getByTestId("op-live-status").textContent()).toMatch(/Live/);
    await expect.poll(() => operator.getByTestId("op-balance").textContent()).toBe("€0.00");

    // The reason is required, checked before anything is sent.
    await operator.getByTestId("adjustment-amount").fill("12.50");
    await operator.getByTestId("adjustment-submit").click();
    await expect.poll(() => operator.getByText("Give a reason.").count()).toBe(1);
    await operator.getByTestId("adjustment-reason").fill("Goodwill for the outage on 2 December");
    await operator.getByTestId("adjustment-submit").click();
    await expect.poll(() => operator.getByTestId("adjustment-done").textContent()).toContain("+€12.50");
    await expect.poll(() => operator.getByTestId("op-balance").textContent()).toBe("€12.50");

    // The customer's dashboard moves without a reload; the reason is the entry's description.
    await expect.poll(() => balanceText(customer)).toBe("€12.50");
    expect(await wasNotReloaded(customer)).toBe(true);
    await customer.goto(`${h.base}/transactions`);
    await expect.poll(() => customer.getByTestId("transactions-list").textContent()).toContain("Goodwill for the outage on 2 December");
    await saveScreenshot(operator, "operator-console-account-en");
    await customerContext.close();
    await operator.context().close();
  });

  it("in German: analytics chart and CSV export, and the audit log names the adjustment", async () => {
    const operator = await operatorPage(h.browser, "de-DE");
    await operator.goto(`${h.base}/operator/analytics`);
    await expect.poll(() => operator.locator("h1").textContent()).toBe("Auswertungen");
    await operator.getByTestId("revenue-chart").waitFor();
    // Intl puts a no-break space between amount and symbol ("12,50\u00a0€").
    await expect.poll(async () => (await operator.getByTestId("revenue-table").textContent())?.replace(/\s+/g, " ")).toContain("12,50 €");
    const download = operator.waitForEvent("download");
    await operator.getByTestId("export-revenue").click();
    expect((await download).suggestedFilename()).toMatch(/^revenue-.*-EUR\.csv$/);

    await operator.goto(`${h.base}/operator/audit-log`);
    await expect.poll(() => operator.getByTestId("audit-table").textContent()).toContain("account.adjusted");
    await saveScreenshot(operator, "operator-console-audit-de");
    await operator.context().close();
  });
});
