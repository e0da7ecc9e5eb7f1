import { afterAll, beforeAll, expect, it } from "vitest";
import { debit } from "../../db/ledger/debit";
import { setOverdraftLimit, suspendOverdrawnAccounts } from "../../db/ledger/overdraft";
import {
  balanceText,
  fillCard,
  markNoReload,
  saveScreenshot,
  signUp,
  startBrowserHarness,
  wasNotReloaded,
  type BrowserHarness,
} from "./browser-harness";

/**
 * The non-payment rule as the customer sees it: an account on its overdraft is suspended
 * by the rule and the dashboard says so at once, without a reload, with what to do; a
 * top-up through checkout restores the balance and lifts it.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

it("a non-payment suspension appears live; a top-up lifts it", async () => {
  const { browser, base, ctx } = h;
  const page = await browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  await signUp(page, base, "Overdraft Inc");
  const accountId = await page.evaluate(async () => {
    const me = (await (await fetch("/api/v1/me")).json()) as { account: { id: string } };
    return me.account.id;
  });
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
  await markNoReload(page);

  await setOverdraftLimit(ctx.deps.ledger, accountId, 1_000, { actor: "test" });
  await debit(ctx.deps.ledger, { accountId, amount: 500, description: "Calls on credit" });
  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("-€5.00");
  expect(await page.getByTestId("suspended-non-payment").count()).toBe(0);

  // The grace period is over (the rule's cut-off is after the fall below zero).
  expect(await suspendOverdrawnAccounts(ctx.deps.ledger, new Date(Date.now() + 1_000))).toContain(accountId);
  await expect
    .poll(() => page.getByTestId("suspended-non-payment").textContent(), { timeout: 5_000 })
    .toMatch(/Top up/);
  expect(await wasNotReloaded(page)).toBe(true);
  await saveScreenshot(page, "non-payment");

  await page.getByTestId("topup-10").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await fillCard(page, "4242424242424242");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("€5.00");
  await expect.poll(() => page.getByTestId("suspended-non-payment").count()).toBe(0);
  const [row] = await ctx.deps.database.sql<{ status: string }[]>`SELECT status FROM accounts WHERE id = ${accountId}`;
  expect(row!.status).toBe("active");
  await page.close();
});
