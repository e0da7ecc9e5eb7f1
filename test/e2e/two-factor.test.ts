import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Two-factor log-in in the portal (issue 12 point 3): enrol in the profile's Security
 * section with a code computed here by otpauth, see the recovery codes once, log out, log in
 * with the password and then a code. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

/**
 * The code of the authenticator app `offsetSteps` steps from now: the log-in uses the next
 * step's code (accepted within the +-1 window), since the enrolment may have spent this one.
 */
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

describe("TOTP in the portal", () => {
  it("enables TOTP in the profile, logs out, logs back in with a code (German UI)", async () => {
    const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 1000 } });
    const email = `e2e_2fa_${Date.now()}@example.test`;
    const password = "a long enough password";
    await page.goto(`${h.base}/signup`);
    await page.getByTestId("signup-name").fill("Zwei Faktor GmbH");
    await page.getByTestId("signup-email").fill(email);
    await page.getByTestId("signup-password").fill(password);
    await page.getByTestId("signup-submit").click();
    await page.waitForURL(`${h.base}/`);

    await page.getByTestId("account-menu-toggle").click();
    await page.getByTestId("account-profile").click();
    await page.waitForURL(`${h.base}/profile`);
    await expect.poll(() => page.getByTestId("two-factor-state").textContent()).toBe("Aus");
    await page.getByTestId("two-factor-setup").click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    expect(await page.locator("[data-testid=totp-enrolment] svg").count()).toBe(1);
    await page.getByTestId("enrol-code").fill("000000");
    await page.getByTestId("enrol-confirm").click();
    await expect.poll(() => page.getByTestId("enrolment-error").textContent()).toContain("Dieser Code ist ungültig");
    await page.getByTestId("enrol-code").fill(codeFor(secret));
    await page.getByTestId("enrol-confirm").click();
    const codes = (await page.getByTestId("recovery-secret").textContent())!.trim().split(" ");
    expect(codes).toHaveLength(10);
    await saveScreenshot(page, "two-factor-recovery-codes-de");
    await page.getByTestId("recovery-secret-done").click();
    await expect.poll(() => page.getByTestId("two-factor-state").textContent()).toMatch(/^Aktiv seit .* · Übrige Wiederherstellungscodes: 10$/);
    expect(await page.getByTestId("recovery-secret").count()).toBe(0);

    // After enrolment the first click on the account menu is swallowed (seen, not yet explained:
    // see the closing note); click until it is open.
    const toggle = page.getByTestId("account-menu-toggle");
    await expect.poll(async () => {
      if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
      return toggle.getAttribute("aria-expanded");
    }).toBe("true");
    await page.getByTestId("account-menu").getByTestId("logout").click();
    await page.waitForURL(/\/login/);
    await page.getByTestId("login-email").fill(email);
    await page.getByTestId("login-password").fill(password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("login-code").fill("123456");
    await page.getByTestId("login-code-submit").click();
    await expect.poll(() => page.getByTestId("code-error").textContent()).toContain("Dieser Code ist ungültig");
    await page.getByTestId("login-code").fill(codeFor(secret, 1));
    await page.getByTestId("login-code-submit").click();
    await page.waitForURL(`${h.base}/`);
    await expect.poll(() => page.getByTestId("account-name").textContent()).toBe("Zwei Faktor GmbH");
    await page.close();
  });
});
