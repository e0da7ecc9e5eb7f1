import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { saveScreenshot, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Finding one's way in the portal (issue 12, rough edges 11, 16, 21), in English and
 * German: every section reachable from a phone, every API key scope offered, quiet
 * log-in and sign-up pages. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

/** The page's full width in CSS pixels: more than the viewport means it scrolls sideways. */
const scrollWidth = async (page: Page) => (await page.evaluate("document.documentElement.scrollWidth")) as number;

/** Console errors and failed requests of a page, as a developer tools window would show them. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("response", (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
  });
  return errors;
}

describe("the log-in and sign-up pages (point 21)", () => {
  it("load without a 401 or any other error in the console", async () => {
    const page = await h.browser.newPage({ locale: "en-US" });
    const errors = consoleErrors(page);
    await page.goto(`${h.base}/login`);
    await page.getByTestId("login-email").waitFor();
    await page.goto(`${h.base}/signup`);
    await page.getByTestId("signup-email").waitFor();
    expect(errors).toEqual([]);
    // Signed in, both send you on to the dashboard.
    await signUp(page, h.base, "Quiet Ltd");
    await page.goto(`${h.base}/login`);
    await page.waitForURL(`${h.base}/`);
    await page.close();
  });
});

describe("the phone navigation (point 11)", () => {
  for (const [locale, current, sections] of [
    ["en-US", "Dashboard", ["Dashboard", "Transactions", "Documents", "Cards", "API keys", "Webhooks", "Notifications", "Members", "Settings", "Profile"]],
    ["de-DE", "Übersicht", ["Übersicht", "Buchungen", "Belege", "Karten", "API-Schlüssel", "Webhooks", "Benachrichtigungen", "Mitglieder", "Einstellungen", "Profil"]],
  ] as const) {
    it(`${locale}: a menu shows every section, the active one named on the button and marked in the list`, async () => {
      const page = await h.browser.newPage({ locale, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      await signUp(page, h.base, "Phone Co");
      expect(await page.getByTestId("nav-current").textContent()).toBe(current);
      await saveScreenshot(page, `phone-nav-closed-${locale}`);
      // Nothing scrolls sideways.
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);

      await page.getByTestId("nav-menu-toggle").click();
      const menu = page.getByTestId("nav-menu");
      const labels = (await menu.locator("a").allTextContents()).map((t) => t.trim());
      expect(labels).toEqual(sections);
      for (const link of await menu.locator("a").all()) expect(await link.isVisible()).toBe(true);
      expect(await menu.locator('a[aria-current="page"]').textContent()).toContain(current);
      await saveScreenshot(page, `phone-nav-open-${locale}`);

      await menu.getByText(sections[6]).click();
      await page.waitForURL(`${h.base}/notifications`);
      expect(await page.getByTestId("nav-menu").count()).toBe(0);
      expect(await page.getByTestId("nav-current").textContent()).toBe(sections[6]);
      await page.close();
    });
  }

  it("at 1280 px the German header shows the whole user name", async () => {
    const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 800 } });
    await signUp(page, h.base, "Musterfirma Berlin");
    const name = page.getByTestId("account-name");
    await saveScreenshot(page, "header-1280-de");
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.close();
  });
});

describe("API key scopes (point 16)", () => {
  it("offers every scope with a line on what it allows; a key with topups:write can start a top-up", async () => {
    const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    await signUp(page, h.base, "Scopes Ltd");
    await page.goto(`${h.base}/api-keys`);
    await page.getByTestId("apikey-name").waitFor();
    for (const scope of ["usage-write", "balance-read", "topups-write"]) {
      expect(await page.getByTestId(`apikey-scope-${scope}`).count()).toBe(1);
    }
    expect(await page.locator("label", { has: page.getByTestId("apikey-scope-topups-write") }).textContent()).toContain(
      "Start top-ups, charge saved cards",
    );
    await page.getByTestId("apikey-name").fill("Billing robot");
    await page.getByTestId("apikey-scope-usage-write").uncheck();
    await page.getByTestId("apikey-scope-balance-read").uncheck();
    await page.getByTestId("apikey-scope-topups-write").check();
    await page.getByTestId("apikey-create").click();
    const secret = (await page.getByTestId("apikey-secret").textContent())!.trim();
    await saveScreenshot(page, "apikey-scopes-en");
    const res = await fetch(`${h.base}/api/v1/topups`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "idempotency-key": `k_${Date.now()}` },
      body: JSON.stringify({ amount: 1_000 }),
    });
    expect(res.status).toBe(201);
    await page.close();
  });
});

describe("long unbroken text (point 10)", () => {
  for (const width of [390, 1280]) {
    it(`at ${width} px a 100-character key name, a 2048-character webhook URL and a long description never push a page sideways`, async () => {
      const page = await h.browser.newPage({ locale: "en-US", viewport: { width, height: 900 } });
      await signUp(page, h.base, "Long Ltd");
      const long = "x".repeat(100);
      const url = `https://example.com/${"a".repeat(2048 - "https://example.com/".length)}`;
      await page.evaluate(
        async ({ long, url }) => {
          const post = (path: string, body: unknown) =>
            fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
          const key = await post("/api/v1/api-keys", { name: long });
          const endpoint = await post("/api/v1/webhook-endpoints", { url, enabledEvents: ["*"], description: "d".repeat(200) });
          if (key.status !== 201 || endpoint.status !== 201) throw new Error(`setup failed: ${key.status} ${endpoint.status}`);
        },
        { long, url },
      );
      const accountId = await page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id);
      const { debit } = await import("../../db/ledger/debit");
      const { credit } = await import("../../db/ledger/credit");
      await credit(h.ctx.deps.ledger, { accountId, amount: 1_000, type: "adjustment", contra: "adjustments", description: "y".repeat(500) });
      await debit(h.ctx.deps.ledger, { accountId, amount: 100, description: "z".repeat(500) });

      for (const path of ["/api-keys", "/webhooks", "/transactions", "/"]) {
        await page.goto(`${h.base}${path}`);
        await page.waitForLoadState("networkidle");
        if (path === "/webhooks") expect(await page.getByTestId("webhook-row").count()).toBe(1);
        if (path === "/api-keys") expect(await page.getByText(long).count()).toBe(1);
        const scrollWidth = ((await page.evaluate("document.documentElement.scrollWidth")) as number);
        expect(scrollWidth, path).toBeLessThanOrEqual(width);
        await saveScreenshot(page, `long-text${path.replace(/\//g, "-") || "-dashboard"}-${width}`);
      }
      await page.close();
    });
  }
});
