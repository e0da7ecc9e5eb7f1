import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fund } from "../harness";
import {
  createApiKeyInPage,
  debitThroughApi,
  saveScreenshot,
  signUp,
  startBrowserHarness,
  type BrowserHarness,
} from "./browser-harness";

/**
 * Spend limits in the portal, in a real browser: the account's daily limit set on the
 * Settings page (checked before anything is sent, saved, still there after a reload, its
 * usage shown against it), an API key's own limit set in the API keys page's dialog and
 * enforced by the API (402 spend_limit_exceeded beyond it, exactly up to it allowed), the
 * key's limit and usage on its row, then cleared with Enter; a key revoked while its dialog is
 * open (404) said so; the Settings card in German.
 * Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

/** The element's text with Intl's non-breaking spaces made plain. */
const text = (locator: Locator) => locator.evaluate((el) => (el.textContent ?? "").replace(/\s+/g, " ").trim());

/** The one visible copy of `testid` in a key's row (the table folds its columns into the name cell on smaller screens). */
const shown = (row: Locator, testid: string) => row.getByTestId(testid).filter({ visible: true });

/** Resolves with the next PUT to `path` (e.g. /api/v1/spend-limits). */
const nextPut = (page: Page, path: RegExp) =>
  page.waitForResponse((r) => r.request().method() === "PUT" && path.test(new URL(r.url()).pathname));

/** Every PUT the page sends to /api/v1/spend-limits, to show invalid input never reaches the server. */
function countLimitPuts(page: Page): () => number {
  let count = 0;
  page.on("request", (req) => {
    if (req.method() === "PUT" && new URL(req.url()).pathname === "/api/v1/spend-limits") count++;
  });
  return () => count;
}

const accountIdOf = (page: Page) =>
  page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id);

const getLimits = (page: Page) =>
  page.evaluate(
    async () =>
      (await (await fetch("/api/v1/spend-limits")).json()) as { daily: number | null; monthly: number | null },
  );

it("en: an account daily limit saved in Settings persists; a key's own limit set in its dialog stops usage beyond it", async () => {
  const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 1000 } });
  await signUp(page, h.base, "Limits Ltd");
  await fund(h.ctx, await accountIdOf(page), 10_000);
  const puts = countLimitPuts(page);

  // --- The account's limits on the Settings page
  await page.goto(`${h.base}/settings`);
  await expect.poll(() => text(page.getByTestId("spend-limits-daily-limit"))).toBe("No limit");
  expect(await text(page.getByTestId("spend-limits-monthly-limit"))).toBe("No limit");
  expect(await text(page.getByTestId("spend-limits-daily-used"))).toBe("€0.00 used today");
  expect(await page.getByTestId("spend-limits-daily-bar").count()).toBe(0);

  // Bad input is named per field and nothing is sent.
  await page.getByTestId("spend-limits-input-daily").fill("0");
  await page.getByTestId("spend-limits-input-monthly").fill("abc");
  await page.getByTestId("spend-limits-save").click();
  await expect
    .poll(() => text(page.getByTestId("spend-limits-input-daily-error")))
    .toBe("Enter more than zero, or leave the field empty for no limit.");
  expect(await text(page.getByTestId("spend-limits-input-monthly-error"))).toBe("Enter an amount like 12.50.");
  expect(await page.getByTestId("spend-limits-input-daily").getAttribute("aria-invalid")).toBe("true");
  expect(puts()).toBe(0);

  // 20 a day, the monthly field emptied: no monthly limit.
  await page.getByTestId("spend-limits-input-daily").fill("20");
  await page.getByTestId("spend-limits-input-monthly").fill("");
  const saved = nextPut(page, /^\/api\/v1\/spend-limits$/);
  await page.getByTestId("spend-limits-save").click();
  const response = await saved;
  expect(response.status()).toBe(200);
  expect(response.request().postDataJSON()).toEqual({ daily: 2000, monthly: null });
  await expect.poll(() => text(page.getByTestId("spend-limits-saved"))).toBe("Spend limits saved.");
  expect(await text(page.getByTestId("spend-limits-daily-limit"))).toBe("€20.00");

  await page.reload();
  await expect.poll(() => text(page.getByTestId("spend-limits-daily-limit"))).toBe("€20.00");
  expect(await text(page.getByTestId("spend-limits-monthly-limit"))).toBe("No limit");
  expect(await page.getByTestId("spend-limits-input-daily").inputValue()).toBe("20.00");
  expect(await page.getByTestId("spend-limits-input-monthly").inputValue()).toBe("");
  expect(await page.getByTestId("spend-limits-daily-bar").getAttribute("aria-valuenow")).toBe("0");
  expect(await getLimits(page)).toMatchObject({ daily: 2000, monthly: null });

  // --- An API key's own limit, set in the API keys page's dialog
  const secret = await createApiKeyInPage(page, "Leaky robot");
  await page.goto(`${h.base}/api-keys`);
  const row = page.getByTestId("apikey-row").filter({ hasText: "Leaky robot" });
  await expect.poll(() => text(shown(row, "apikey-limits-summary"))).toBe("No spend limits");
  expect(await shown(row, "apikey-limits-used").count()).toBe(0);

  await row.getByTestId("apikey-edit-limits").click();
  // Found by its accessible name: its title, by an id of its own (the revoke dialog is in the page too).
  const dialog = page.getByRole("dialog", { name: 'Spend limits for "Leaky robot"' });
  await dialog.waitFor();
  expect(await text(dialog)).toContain("so a leaked key cannot drain your balance");
  // The dialog opens on the first field, empty: no limit yet.
  await expect.poll(() => page.evaluate("document.activeElement?.dataset.testid")).toBe("apikey-limits-daily");
  expect(await dialog.getByTestId("apikey-limits-daily").inputValue()).toBe("");

  await dialog.getByTestId("apikey-limits-monthly").fill("1.000");
  await dialog.getByTestId("confirm-submit").click();
  await expect
    .poll(() => text(dialog.getByTestId("apikey-limits-monthly-error")))
    .toMatch(/decimal point or a thousands separator/);
  await dialog.getByTestId("apikey-limits-monthly").fill("");
  await dialog.getByTestId("apikey-limits-daily").fill("5");
  await saveScreenshot(page, "spend-limits-key-dialog-en");
  const keyPut = nextPut(page, /^\/api\/v1\/api-keys\/[^/]+\/spend-limits$/);
  await dialog.getByTestId("confirm-submit").click();
  expect((await keyPut).status()).toBe(200);
  expect((await keyPut).request().postDataJSON()).toEqual({ daily: 500, monthly: null });
  await expect.poll(() => page.locator("dialog[open]").count()).toBe(0);
  await expect.poll(() => text(shown(row, "apikey-limits-summary"))).toBe("€5.00 / day · no monthly limit");
  expect(await text(shown(row, "apikey-limits-used"))).toBe("Used €0.00 today · €0.00 this month");

  // The API enforces it: 3.00, then 3.00 more is refused with nothing debited, then 2.00 reaches it exactly.
  expect((await debitThroughApi(h.base, secret, 300, "first call")).status).toBe(201);
  const refused = await debitThroughApi(h.base, secret, 300, "one call too many");
  expect(refused.status).toBe(402);
  const body = (await refused.json()) as { error: { code: string; details: Record<string, unknown> } };
  expect(body.error.code).toBe("spend_limit_exceeded");
  expect(body.error.details).toMatchObject({
    scope: "api_key",
    period: "daily",
    limit: 500,
    spent: 300,
    requested: 300,
  });
  expect((await debitThroughApi(h.base, secret, 200, "up to the limit")).status).toBe(201);

  await page.reload();
  await expect.poll(() => text(shown(row, "apikey-limits-used"))).toBe("Used €5.00 today · €5.00 this month");
  expect(await text(shown(row, "apikey-limits-summary"))).toBe("€5.00 / day · no monthly limit");
  expect(await text(shown(row, "apikey-limits-reached"))).toBe(
    "Limit reached: Usage with this key is refused until the limit starts over (UTC).",
  );
  await saveScreenshot(page, "spend-limits-api-keys-en");

  // The account's usage counts the key's: 5.00 of the 20.00 daily limit.
  await page.goto(`${h.base}/settings`);
  await expect.poll(() => text(page.getByTestId("spend-limits-daily-used"))).toBe("€5.00 used today");
  expect(await page.getByTestId("spend-limits-daily-bar").getAttribute("aria-valuenow")).toBe("25");
  expect(await text(page.getByTestId("spend-limits-monthly-used"))).toBe("€5.00 used this month");
  await saveScreenshot(page, "spend-limits-settings-en");

  // Clearing the key's limit (Enter in the field saves) lets its usage through again, up to the account's limit.
  await page.goto(`${h.base}/api-keys`);
  await row.getByTestId("apikey-edit-limits").click();
  expect(await dialog.getByTestId("apikey-limits-daily").inputValue()).toBe("5.00");
  await dialog.getByTestId("apikey-limits-daily").fill("");
  const cleared = nextPut(page, /^\/api\/v1\/api-keys\/[^/]+\/spend-limits$/);
  await dialog.getByTestId("apikey-limits-daily").press("Enter");
  expect((await cleared).request().postDataJSON()).toEqual({ daily: null, monthly: null });
  await expect.poll(() => text(shown(row, "apikey-limits-summary"))).toBe("No spend limits");
  expect((await debitThroughApi(h.base, secret, 1_000, "after clearing")).status).toBe(201);
  const overAccount = await debitThroughApi(h.base, secret, 1_000, "beyond the account's limit");
  expect(overAccount.status).toBe(402);
  expect(((await overAccount.json()) as { error: { details: Record<string, unknown> } }).error.details).toMatchObject({
    scope: "account",
    period: "daily",
    limit: 2000,
    spent: 1500,
  });

  // A key revoked meanwhile (another tab, another member): the dialog says so, the list catches up.
  await page.reload();
  await row.getByTestId("apikey-edit-limits").click();
  await dialog.waitFor();
  const revoked = await page.evaluate(async () => {
    const keys = ((await (await fetch("/api/v1/api-keys")).json()) as { data: { id: string; name: string }[] }).data;
    const id = keys.find((k) => k.name === "Leaky robot")!.id;
    return (await fetch(`/api/v1/api-keys/${id}`, { method: "DELETE" })).status;
  });
  expect(revoked).toBe(204);
  await dialog.getByTestId("apikey-limits-daily").fill("1");
  await dialog.getByTestId("confirm-submit").click();
  await expect
    .poll(() => text(dialog.getByRole("alert")))
    .toBe("This key was revoked in the meantime, so its limits can no longer change.");
  await expect.poll(() => row.getByTestId("apikey-edit-limits").count()).toBe(0);
  expect(await shown(row, "apikey-limits-summary").count()).toBe(0);
  await page.close();
});

it("de: the Settings card in German, amounts typed the German way", async () => {
  const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1000 } });
  await signUp(page, h.base, "Limits GmbH");
  await page.goto(`${h.base}/settings`);
  await expect.poll(() => text(page.locator("#spend-limits-heading"))).toBe("Ausgabenlimits");
  await expect.poll(() => text(page.getByTestId("spend-limits-monthly-limit"))).toBe("Kein Limit");
  expect(await text(page.getByTestId("spend-limits-daily-used"))).toBe("Heute verbraucht: 0,00 €");

  await page.getByTestId("spend-limits-input-monthly").fill("1.234,50");
  const saved = nextPut(page, /^\/api\/v1\/spend-limits$/);
  await page.getByTestId("spend-limits-save").click();
  expect((await saved).request().postDataJSON()).toEqual({ daily: null, monthly: 123450 });
  await expect.poll(() => text(page.getByTestId("spend-limits-saved"))).toBe("Ausgabenlimits gespeichert.");
  expect(await text(page.getByTestId("spend-limits-monthly-limit"))).toBe("1.234,50 €");
  expect(await page.getByTestId("spend-limits-input-monthly").inputValue()).toBe("1234,50");
  expect(await text(page.getByTestId("spend-limits-monthly"))).toContain("0 % des Limits");
  expect(await getLimits(page)).toMatchObject({ daily: null, monthly: 123450 });
  await saveScreenshot(page, "spend-limits-settings-de");
  await page.close();
});
