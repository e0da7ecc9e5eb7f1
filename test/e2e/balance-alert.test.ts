import { afterAll, beforeAll, expect, it } from "vitest";
import { fund } from "../harness";
import { createApiKeyInPage, debitThroughApi, markNoReload, saveScreenshot, signUp, startBrowserHarness, wasNotReloaded, type BrowserHarness } from "./browser-harness";

/**
 * In a real browser, English and German: a debit through the API crosses a low-balance
 * alert and the dashboard shows the active alert live (SSE `notification` from the
 * balance_low job, no reload); a credit that lifts available back over it clears it.
 * Then the Notifications page's preferences: a protected event's email cannot be
 * unticked, another one's can (saved). Needs a built portal.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness({ worker: true });
});
afterAll(() => h?.close());

const text = (page: import("playwright-core").Page, testId: string) =>
  page.getByTestId(testId).evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

for (const [locale, expected] of [
  ["en-US", { alert: "Your available balance (€4.00) is below your low-balance alert of €5.00.", saved: "Saved" }],
  ["de-DE", { alert: "Ihr verfügbares Guthaben (4,00 €) liegt unter Ihrer Warnschwelle von 5,00 €.", saved: "Gespeichert" }],
] as const) {
  it(`shows an active low-balance alert live, and notification preferences (${locale})`, async () => {
    const page = await h.browser.newPage({ locale, viewport: { width: 1280, height: 900 } });
    await signUp(page, h.base, `Alert ${locale}`);
    const accountId = await page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id);
    await fund(h.ctx, accountId, 1_000);
    const put = await page.evaluate(async () =>
      (await fetch("/api/v1/balance-alerts", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ thresholds: [500] }) })).status,
    );
    expect(put).toBe(200);
    const key = await createApiKeyInPage(page, "alert e2e");
    await page.reload();
    await expect.poll(() => page.getByTestId("connection-status").textContent(), { timeout: 10_000 }).toMatch(/Live/);
    expect(await page.getByTestId("balance-low-alert").count()).toBe(0);
    await markNoReload(page);

    expect((await debitThroughApi(h.base, key, 600, "crossing")).status).toBe(201); // 400 available
    await expect.poll(() => page.getByTestId("balance-low-alert").count(), { timeout: 15_000 }).toBe(1);
    expect(await text(page, "balance-low-alert")).toContain(expected.alert);
    expect(await page.getByTestId("live-notice").count()).toBe(1);
    expect(await wasNotReloaded(page)).toBe(true);
    await saveScreenshot(page, `balance-alert-${locale}`);

    await fund(h.ctx, accountId, 200); // 600: back over 500, re-armed
    await expect.poll(() => page.getByTestId("balance-low-alert").count(), { timeout: 10_000 }).toBe(0);

    await page.goto(`${h.base}/notifications`);
    const row = (type: string) => page.locator(`[data-testid="notification-preference"][data-event-type="${type}"]`);
    await expect.poll(() => row("account.suspended").count()).toBe(1);
    expect(await row("account.suspended").getByTestId("notification-email").isDisabled()).toBe(true);
    expect(await row("account.suspended").getByTestId("notification-email").isChecked()).toBe(true);
    await row("topup.succeeded").getByTestId("notification-email").uncheck();
    await expect.poll(() => text(page, "notification-preferences-saved")).toBe(expected.saved);
    const stored = await page.evaluate(async () =>
      ((await (await fetch("/api/v1/notification-preferences")).json()) as { preferences: { eventType: string; email: boolean }[] }).preferences,
    );
    expect(stored.find((p) => p.eventType === "topup.succeeded")?.email).toBe(false);
    await page.close();
  });
}
