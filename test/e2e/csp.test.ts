import { afterAll, beforeAll, expect, it } from "vitest";
import { balanceText, fillCard, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * In Chromium, under the Content-Security-Policy the server sends: the portal boots
 * (SvelteKit's inline bootstrap script is allowed by its hash), the simulated checkout
 * page's card hints work (its inline script, by hash), and /docs renders Swagger UI from
 * our own origin. No CSP violation is reported and nothing is loaded from elsewhere.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

it("the portal, the checkout page and /docs run under our CSP with no violation", async () => {
  const { browser, base } = h;
  const page = await browser.newPage();
  const violations: string[] = [];
  const foreign: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|securitypolicyviolation/i.test(m.text())) violations.push(m.text());
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) foreign.push(r.url());
  });
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error("securitypolicyviolation: " + e.violatedDirective + " " + e.blockedURI))',
  );

  const portal = await page.goto(`${base}/signup`);
  expect(portal!.headers()["content-security-policy"]).toMatch(/script-src 'self' 'sha256-[^']+'/);
  await signUp(page, base, "CSP Ltd");
  await page.getByTestId("topup-25").click();
  await page.waitForURL(/\/simulated-checkout\//);
  await page.locator("[data-card]").first().click(); // the page's inline script copies the number
  expect(await page.locator("#card").inputValue()).toMatch(/^\d[\d ]{15,}$/);
  await fillCard(page, await page.locator("#card").inputValue());
  await page.getByRole("button", { name: /^Pay|bezahlen$/ }).click();
  await page.waitForURL(/\/\?topup=|\/$/);
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toMatch(/25/);

  const docs = await page.goto(`${base}/docs`);
  expect(docs!.headers()["content-security-policy"]).toContain("default-src 'self'");
  await expect.poll(() => page.locator(".swagger-ui .info .title").textContent(), { timeout: 20_000 }).toContain("Live prepaid balance API");

  expect(foreign).toEqual([]);
  expect(violations).toEqual([]);
  await page.close();
});
