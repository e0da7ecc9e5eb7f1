import { afterAll, beforeAll, expect, it } from "vitest";
import { fund } from "../harness";
import { createApiKeyInPage, debitThroughApi, saveScreenshot, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * The dashboard's usage card in a real browser, in English and German: a new account
 * shows the empty states (no chart, no runway); with usage on the last 7 days (6 earlier
 * days written in SQL, today's through the API) it shows the chart's canvas, this month's
 * spend and the runway, and a live debit updates the spend. Needs a built portal.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

const DAY_MS = 86_400_000;
const text = (page: import("playwright-core").Page, testId: string) =>
  page.getByTestId(testId).evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

/** Debits 100 minor units of usage dated `daysAgo` days back, keeping balance and sequence consistent (verify holds). */
async function pastUsage(accountId: string, daysAgo: number): Promise<void> {
  const { sql } = h.ctx.deps.database;
  await sql`
    WITH acc AS (
      UPDATE accounts SET balance = balance - 100, sequence = sequence + 1 WHERE id = ${accountId}
      RETURNING id, balance, sequence, currency
    )
    INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, description, created_at)
    SELECT 'le_e2e_' || acc.id || '_' || ${daysAgo}, acc.id, 'sys_usage_revenue_' || acc.currency, 'usage', -100,
           acc.balance, acc.sequence, acc.currency, 'earlier usage', now() - ${daysAgo} * interval '1 day'
      FROM acc`;
}

for (const [locale, expected] of [
  ["en-US", { empty: "No usage in the last 30 days", noRunway: "No usage in the last 7 days, so no runway yet", runway: "About 93 days left at the last 7 days' average use" }],
  ["de-DE", { empty: "Keine Nutzung in den letzten 30 Tagen", noRunway: "Keine Nutzung in den letzten 7 Tagen, daher noch keine Reichweite", runway: "Noch etwa 93 Tage beim Durchschnittsverbrauch der letzten 7 Tage" }],
] as const) {
  it(`shows usage chart, this month's spend and runway (${locale})`, async () => {
    const money = (minor: number) => new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" }).format(minor / 100).replace(/\s+/g, " ");
    const page = await h.browser.newPage({ locale, viewport: { width: 1280, height: 1000 } });
    await signUp(page, h.base, `Usage ${locale}`);
    const card = page.getByTestId("usage-card");
    await expect.poll(() => card.textContent()).toContain(expected.empty);
    expect(await text(page, "usage-runway")).toBe(expected.noRunway);
    expect(await text(page, "usage-month-spend")).toBe(money(0));
    expect(await page.getByTestId("usage-chart").count()).toBe(0);

    const accountId = await page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id);
    await fund(h.ctx, accountId, 10_000);
    for (let d = 1; d <= 6; d++) await pastUsage(accountId, d);
    const key = await createApiKeyInPage(page, "usage e2e");
    expect((await debitThroughApi(h.base, key, 100, "today's usage")).status).toBe(201);
    // 700 used in the last 7 days (100 a day), 9 300 available: 93 days
    const now = new Date();
    const inThisMonth = [0, 1, 2, 3, 4, 5, 6].filter((d) => new Date(now.getTime() - d * DAY_MS).getUTCMonth() === now.getUTCMonth()).length;

    await page.reload();
    await expect.poll(() => text(page, "usage-runway"), { timeout: 10_000 }).toBe(expected.runway);
    expect(await text(page, "usage-month-spend")).toBe(money(100 * inThisMonth));
    const chart = page.getByTestId("usage-chart");
    expect(await chart.isVisible()).toBe(true);
    const size = await chart.evaluate((c) => ({ w: (c as unknown as { width: number }).width, h: (c as unknown as { height: number }).height }));
    expect(size.w).toBeGreaterThan(100);
    expect(size.h).toBeGreaterThan(100);

    // live: a debit through the API reaches the card without a reload
    expect((await debitThroughApi(h.base, key, 250, "more usage")).status).toBe(201);
    await expect.poll(() => text(page, "usage-month-spend"), { timeout: 10_000 }).toBe(money(100 * inThisMonth + 250));
    await saveScreenshot(page, `usage-dashboard-${locale}`);
    await page.close();
  });
}
