import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "../notifications/smtp-sink";
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Account recovery in the portal (issue 12, point 2): the sign-up's verification link,
 * "Forgot password?" through the emailed link (read from a real SMTP sink the worker sends
 * to), log-in with the new password, the old browser logged out, and the Profile's
 * sessions. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startBrowserHarness({ worker: true, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

/** The link (to `path`) in the newest email to `to` with `subject`, waiting for it. */
async function linkIn(to: string, subject: string, path: string): Promise<string> {
  await expect
    .poll(() => smtp.to(to).filter((m) => m.subject === subject).length, { timeout: 20_000 })
    .toBeGreaterThan(0);
  const mail = smtp
    .to(to)
    .filter((m) => m.subject === subject)
    .at(-1)!;
  const link = new RegExp(`${h.base}/${path}/[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
  expect(link, mail.text).toBeDefined();
  return link!;
}

describe("account recovery in the browser", () => {
  it("verifies the email from the sign-up link, resets a forgotten password by email, logs in with the new one", async () => {
    const email = `e2e_reset_${Date.now()}@example.test`;
    const first = await h.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await first.newPage();
    await page.goto(`${h.base}/signup`);
    await page.getByTestId("signup-name").fill("Recovery Ltd");
    await page.getByTestId("signup-email").fill(email);
    await page.getByTestId("signup-password").fill("a long enough password");
    await page.getByTestId("signup-submit").click();
    await page.waitForURL(`${h.base}/`);

    // Unverified: the banner asks for it; the link from the email confirms it.
    await page.getByTestId("verify-banner").waitFor();
    expect(await page.getByTestId("verify-banner").textContent()).toContain(email);
    await page.goto(await linkIn(email, "Confirm your email address", "verify-email"));
    expect(await page.getByTestId("verify-done").textContent()).toContain(email);
    await page.getByTestId("verify-continue").click();
    await page.waitForURL(`${h.base}/`);
    await page.getByTestId("balance").waitFor();
    expect(await page.getByTestId("verify-banner").count()).toBe(0);

    // Another browser has forgotten the password.
    const second = await h.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const other = await second.newPage();
    await other.goto(`${h.base}/login`);
    await other.getByTestId("login-email").fill(email);
    await other.getByTestId("login-forgot").click();
    await other.waitForURL(/\/forgot-password/);
    expect(await other.getByTestId("forgot-email").inputValue()).toBe(email);
    await other.getByTestId("forgot-submit").click();
    expect(await other.getByTestId("forgot-sent").textContent()).toContain("30 minutes");

    const resetLink = await linkIn(email, "Reset your password", "reset-password");
    await other.goto(resetLink);
    await other.getByTestId("reset-password").fill("short");
    await other.getByTestId("reset-submit").click();
    expect(await other.locator("#reset-password-error").textContent()).toContain("at least 8");
    await other.getByTestId("reset-password").fill("my new memorable passphrase");
    await saveScreenshot(other, "password-reset-en");
    await other.getByTestId("reset-submit").click();
    await other.waitForURL(`${h.base}/login?reset=1`);
    await other.getByTestId("login-reset-done").waitFor();

    // The link is used up.
    const reused = await h.browser.newPage({ locale: "en-US" });
    await reused.goto(resetLink);
    await reused.getByTestId("reset-password").fill("yet another passphrase");
    await reused.getByTestId("reset-submit").click();
    await reused.getByTestId("reset-invalid").waitFor();
    await reused.close();

    await other.getByTestId("login-email").fill(email);
    await other.getByTestId("login-password").fill("my new memorable passphrase");
    await other.getByTestId("login-submit").click();
    await other.waitForURL(`${h.base}/`);
    await expect
      .poll(() => smtp.to(email).map((m) => m.subject), { timeout: 20_000 })
      .toContain("Your password was changed");

    // The first browser's session ended with the reset: its next page goes to log-in.
    await page.goto(`${h.base}/profile`);
    await page.waitForURL(/\/login/);

    // The profile lists this one session, marked current, with its browser.
    await other.goto(`${h.base}/profile`);
    await other.getByTestId("session-row").first().waitFor();
    expect(await other.getByTestId("session-row").count()).toBe(1);
    expect(await other.getByTestId("session-current").count()).toBe(1);
    expect(await other.getByTestId("session-row").textContent()).toMatch(/Chrome/);
    await saveScreenshot(other, "profile-en");
    await first.close();
    await second.close();
  });

  it("German: the forgot-password page and the profile's sessions, ending another session", async () => {
    const email = `e2e_de_${Date.now()}@example.test`;
    const ctxA = await h.browser.newContext({
      locale: "de-DE",
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const phone = await ctxA.newPage();
    await phone.goto(`${h.base}/signup`);
    await phone.getByTestId("signup-name").fill("Wiederherstellung GmbH");
    await phone.getByTestId("signup-email").fill(email);
    await phone.getByTestId("signup-password").fill("ein langes Passwort hier");
    await phone.getByTestId("signup-submit").click();
    await phone.waitForURL(`${h.base}/`);
    expect(await phone.getByTestId("verify-banner").textContent()).toContain("Bitte bestätigen Sie");
    expect(await phone.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);

    const ctxB = await h.browser.newContext({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
    const laptop = await ctxB.newPage();
    await laptop.goto(`${h.base}/login`);
    expect(await laptop.getByTestId("login-forgot").textContent()).toBe("Passwort vergessen?");
    await laptop.getByTestId("login-email").fill(email);
    await laptop.getByTestId("login-password").fill("ein langes Passwort hier");
    await laptop.getByTestId("login-submit").click();
    await laptop.waitForURL(`${h.base}/`);

    await laptop.goto(`${h.base}/profile`);
    await expect.poll(() => laptop.getByTestId("session-row").count()).toBe(2);
    expect(await laptop.getByTestId("profile-sessions").textContent()).toContain("Diese Sitzung");
    await saveScreenshot(laptop, "profile-de");
    await laptop.getByTestId("sessions-end-others").click();
    await expect.poll(() => laptop.getByTestId("session-row").count()).toBe(1);

    await phone.reload();
    await phone.waitForURL(/\/login/);
    await ctxA.close();
    await ctxB.close();
  });
});
