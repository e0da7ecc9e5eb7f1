import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOperatorUser, operatorSetPasswordUrl } from "../../db/operators/operator-users";
import { saveScreenshot, startBrowserHarness, signUp, type BrowserHarness } from "./browser-harness";

/**
 * The operator side's first pages (issue 11 point 1): the one-time set-password link, the
 * mandatory TOTP enrolment with a code computed here by otpauth, the console's landing
 * page (the accounts list), log-out and log-in with password and TOTP; a customer session does not open it.
 * Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

/** The authenticator app's code `offsetSteps` steps from now (the log-in uses the next step: enrolment may have spent this one). */
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

describe("operator log-in with TOTP", () => {
  it("sets the password from the link, enrols TOTP, logs out and back in with password and code", async () => {
    const email = `e2e_op_${Date.now()}@example.test`;
    const created = await createOperatorUser(h.ctx.deps.database.sql, { email, role: "admin" }, { actor: "cli" });
    const page = await h.browser.newPage({ locale: "en-US", viewport: { width: 1280, height: 900 } });

    await page.goto(operatorSetPasswordUrl(h.base, created!.token));
    await page.getByTestId("operator-new-password").fill("operator password 1");
    await page.getByTestId("operator-set-password-submit").click();
    await page.waitForURL(`${h.base}/operator/enrol`);
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    await page.getByTestId("enrol-code").fill(codeFor(secret));
    await page.getByTestId("enrol-confirm").click();
    expect((await page.getByTestId("recovery-secret").textContent())!.trim().split(" ")).toHaveLength(10);
    await page.getByTestId("recovery-secret-done").click();
    await page.waitForURL(`${h.base}/operator`);
    // the console's accounts list, with who is signed in
    await expect.poll(() => page.getByTestId("operator-identity").textContent()).toContain(`${email} (Admin)`);

    await page.getByTestId("operator-logout").click();
    await page.waitForURL(`${h.base}/operator/login`);
    await page.goto(`${h.base}/operator`);
    await page.waitForURL(`${h.base}/operator/login`);
    await page.getByTestId("operator-email").fill(email);
    await page.getByTestId("operator-password").fill("operator password 1");
    await page.getByTestId("operator-login-submit").click();
    await page.getByTestId("login-code").fill(codeFor(secret, 1));
    await page.getByTestId("login-code-submit").click();
    await page.waitForURL(`${h.base}/operator`);
    await expect.poll(() => page.getByTestId("operator-identity").textContent()).toContain(email);
    await page.getByTestId("account-table").or(page.getByText("No account matches")).first().waitFor();
    await saveScreenshot(page, "operator-landing-en");
    await page.close();
  });

  it("a customer's session does not open the console (German UI)", async () => {
    const page = await h.browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
    await signUp(page, h.base, "Kunde GmbH");
    await page.goto(`${h.base}/operator`);
    await page.waitForURL(`${h.base}/operator/login`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Operator-Anmeldung");
    await page.close();
  });
});
