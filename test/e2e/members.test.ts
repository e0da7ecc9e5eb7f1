import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "../notifications/smtp-sink";
import { saveScreenshot, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Issue 12, "Team members": across two browser contexts (two people), the owner invites by
 * email from the Members page, the invitee opens the link from the email (SMTP sink), signs
 * up, joins and sees the account; the owner sees the new member. Then the invitee, invited
 * to a second account while signed in, joins it and switches between both accounts from the
 * account menu (desktop) and the phone menu.
 */
let h: BrowserHarness;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startBrowserHarness({ worker: true, env: { SMTP_URL: sink.url } });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

/** Invites `email` as `roleValue` from the Members page; resolves once the pending row shows. */
async function inviteFromMembersPage(page: Page, email: string, roleValue: string): Promise<void> {
  await page.goto(`${h.base}/members`);
  await page.getByTestId("invite-email").fill(email);
  await page.getByTestId("invite-role").selectOption(roleValue);
  await page.getByTestId("invite-submit").click();
  await expect.poll(() => page.getByTestId("invite-notice").textContent()).toContain(email);
  await expect.poll(() => page.getByTestId("invitation-row").filter({ hasText: email }).count()).toBe(1);
}

/** The accept link of the `nth` (1-based) invitation email sent to `email` (waits for the worker to send it). */
async function linkFromEmail(email: string, nth = 1): Promise<string> {
  await expect.poll(() => sink.to(email).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(nth);
  const mail = sink.to(email)[nth - 1]!;
  const link = /https?:\/\/\S+\/invitations\/\S+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no invitation link in: ${mail.text}`);
  return link;
}

const currentAccountName = (page: Page) =>
  page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { name: string } }).account.name);

describe("team members in the browser", () => {
  it("invite, sign up from the emailed link, join; the owner sees the member; switching accounts", async () => {
    const ownerContext = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const inviteeContext = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const secondContext = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    try {
      const owner = await ownerContext.newPage();
      await signUp(owner, h.base, "Owner Co");
      // Browser-side validation: nothing is sent for an invalid address.
      await owner.goto(`${h.base}/members`);
      await owner.getByTestId("invite-email").fill("not an email");
      await owner.getByTestId("invite-submit").click();
      await expect.poll(() => owner.locator("#invite-email-error").textContent()).toBeTruthy();
      expect(await owner.getByTestId("invitation-row").count()).toBe(0);

      const inviteeEmail = `invitee_${Date.now()}@example.test`;
      await inviteFromMembersPage(owner, inviteeEmail, "admin");
      const link = await linkFromEmail(inviteeEmail);
      expect(link.startsWith(`${h.base}/invitations/`)).toBe(true);

      const invitee = await inviteeContext.newPage();
      await invitee.goto(link);
      await expect.poll(() => invitee.getByTestId("invitation-summary").textContent()).toContain("Owner Co");
      expect(await invitee.getByTestId("invite-signup-email").inputValue()).toBe(inviteeEmail);
      await invitee.getByTestId("invite-signup-name").fill("Ida Invitee");
      await invitee.getByTestId("invite-signup-password").fill("a long enough password");
      await invitee.getByTestId("invitation-signup").click();
      await invitee.waitForURL(`${h.base}/`);
      await expect.poll(() => invitee.getByTestId("account-name").textContent()).toBe("Owner Co");

      // The link is used up.
      await invitee.goto(link);
      await expect.poll(() => invitee.getByTestId("invitation-invalid").count()).toBe(1);

      await owner.goto(`${h.base}/members`);
      const row = owner.locator(`[data-testid=member-row][data-email="${inviteeEmail}"]`);
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.getByTestId("member-role").inputValue()).toBe("admin");
      expect(await owner.getByTestId("invitation-row").count()).toBe(0);
      await saveScreenshot(owner, "members-page");

      // A second account invites the (now signed-in) invitee as a viewer; they join with one click.
      const second = await secondContext.newPage();
      await signUp(second, h.base, "Second Co");
      await inviteFromMembersPage(second, inviteeEmail, "viewer");
      const secondLink = await linkFromEmail(inviteeEmail, 2);
      await invitee.goto(secondLink);
      await invitee.getByTestId("invitation-accept").click();
      await invitee.waitForURL(`${h.base}/`);
      await expect.poll(() => invitee.getByTestId("account-name").textContent()).toBe("Second Co");

      // Desktop: the account menu lists the other account.
      await invitee.getByTestId("account-menu-toggle").click();
      await invitee
        .getByTestId("account-switcher")
        .getByTestId("switch-account")
        .filter({ hasText: "Owner Co" })
        .click();
      await expect.poll(() => invitee.getByTestId("account-name").textContent()).toBe("Owner Co");
      expect(await currentAccountName(invitee)).toBe("Owner Co");

      // Phone: the menu lists every section and the other account.
      const phone = await inviteeContext.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${h.base}/`);
      await phone.getByTestId("nav-menu-toggle").click();
      const menu = phone.getByTestId("nav-menu");
      expect(await menu.getByRole("link", { name: "Members" }).count()).toBe(1);
      await saveScreenshot(phone, "members-phone-menu");
      await phone
        .getByTestId("menu-account-switcher")
        .getByTestId("switch-account")
        .filter({ hasText: "Second Co" })
        .click();
      await expect.poll(() => currentAccountName(phone)).toBe("Second Co");
      // As a viewer of Second Co, the Members page offers no invite form but a way to leave.
      await phone.goto(`${h.base}/members`);
      await expect.poll(() => phone.getByTestId("member-leave").count()).toBe(1);
      expect(await phone.getByTestId("invite-email").count()).toBe(0);
    } finally {
      await ownerContext.close();
      await inviteeContext.close();
      await secondContext.close();
    }
  }, 120_000);

  it("settings: rename the account, the currency shown, closing at zero balance after typing the name (German)", async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
    try {
      const page = await context.newPage();
      await signUp(page, h.base, "Alt GmbH");
      await page.goto(`${h.base}/settings`);
      const name = page.getByTestId("account-name-input");
      await expect.poll(() => name.inputValue()).toBe("Alt GmbH");
      await name.fill("   ");
      await page.getByTestId("account-save").click();
      await expect.poll(() => page.locator("#account-name-error").count()).toBe(1);
      await name.fill("Neu GmbH");
      await page.getByTestId("account-save").click();
      await expect.poll(() => page.getByTestId("account-saved").count()).toBe(1);
      await expect.poll(() => page.getByTestId("account-name").textContent()).toBe("Neu GmbH");
      expect(await page.getByTestId("account-currency").isDisabled()).toBe(false); // no money moved yet

      await page.getByTestId("close-account").click();
      await page.getByTestId("close-confirm-name").fill("Neu GmbH");
      await page.getByRole("button", { name: "Konto schließen" }).last().click();
      await expect.poll(() => page.getByTestId("account-closed").textContent()).toContain("geschlossen");
      await saveScreenshot(page, "settings-closed-de");
      const [audit] = await h.ctx.deps.database.sql<{ action: string }[]>`
        SELECT a.action FROM audit_log a JOIN accounts c ON c.id = a.target_id
         WHERE c.name = 'Neu GmbH' AND a.action = 'account.closed'`;
      expect(audit?.action).toBe("account.closed");
    } finally {
      await context.close();
    }
  }, 60_000);
});
