import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEND_ACCOUNT_EMAIL_TASK } from "../../db/auth/account-emails";
import { VERIFICATION_EMAIL_RULE } from "../../server/rate-limits";
import { createTestContext, newCustomer, startTaskWorker, mailedByThisFile, type TestContext } from "../harness";
import { startSmtpSink } from "../notifications/smtp-sink";
import { expectError } from "../payments/helpers";

let ctx: TestContext;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let worker: Runner;

beforeAll(async () => {
  smtp = await startSmtpSink();
  ctx = await createTestContext({ SMTP_URL: smtp.url, TRUST_PROXY: "1" });
  worker = await startTaskWorker(ctx, SEND_ACCOUNT_EMAIL_TASK, { owns: mailedByThisFile });
});
afterAll(async () => {
  await worker?.stop();
  await ctx?.close();
  await smtp?.close();
});

const PASSWORD = "correct horse battery";
const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const uniqueEmail = (tag: string) =>
  `${tag}_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2)}@example.test`;

/** Logs in from a browser (`userAgent`) at `ip`; returns the session cookie. */
async function logIn(email: string, password = PASSWORD, userAgent = CHROME_MAC, ip = "203.0.113.7"): Promise<string> {
  const res = await ctx.request("POST", "/api/v1/auth/login", {
    body: { email, password },
    headers: { "user-agent": userAgent, "x-forwarded-for": ip },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (res.headers.get("set-cookie") ?? "").split(";")[0]!;
}

interface SessionDto {
  id: string;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip: string | null;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
}
const sessions = async (cookie: string) => {
  const res = await ctx.request("GET", "/api/v1/me/sessions", { cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: SessionDto[] }).data;
};

async function linkToken(to: string, subject: string): Promise<string> {
  await expect
    .poll(() => smtp.to(to).filter((m) => m.subject === subject).length, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const mail = smtp
    .to(to)
    .filter((m) => m.subject === subject)
    .at(-1)!;
  return /\/verify-email\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
}

describe("sessions list", () => {
  it("shows every session with browser, system, IP and the current one; ends one, then all others", async () => {
    const c = await newCustomer(ctx);
    const mac = await logIn(c.email);
    const phone = await logIn(c.email, PASSWORD, SAFARI_IPHONE, "198.51.100.9");

    const list = await sessions(mac);
    expect(list).toHaveLength(3); // sign-up's, the Mac's and the phone's
    const own = list.find((s) => s.current)!;
    expect(own).toMatchObject({ browser: "Chrome 131", os: "macOS", device: "desktop", ip: "203.0.113.7" });
    expect(own.id).toMatch(/^ses_/);
    expect(list.find((s) => s.ip === "198.51.100.9")).toMatchObject({
      browser: "Safari 17",
      os: "iOS",
      device: "mobile",
      current: false,
    });

    const phoneId = list.find((s) => s.ip === "198.51.100.9")!.id;
    expect((await ctx.request("DELETE", `/api/v1/me/sessions/${phoneId}`, { cookie: mac })).status).toBe(204);
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: phone }), 401, "unauthenticated");
    await expectError(await ctx.request("DELETE", `/api/v1/me/sessions/${phoneId}`, { cookie: mac }), 404, "not_found");

    const ended = await ctx.request("POST", "/api/v1/me/sessions/end-others", { cookie: mac });
    expect(await ended.json()).toEqual({ ended: 1 });
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: c.cookie }), 401, "unauthenticated");
    expect((await sessions(mac)).map((s) => s.current)).toEqual([true]);
    const audits = await ctx.deps.database.sql<{ action: string }[]>`
      SELECT a.action FROM audit_log a JOIN users u ON a.actor = 'user:' || u.id WHERE u.email = ${c.email} AND a.action LIKE 'session.%' ORDER BY a.id`;
    expect(audits.map((a) => a.action)).toEqual(["session.ended", "session.ended_others"]);
  });

  it("another user's session id is 404 and that session lives on; bad ids are 400", async () => {
    const a = await newCustomer(ctx);
    const b = await newCustomer(ctx);
    const [theirs] = await sessions(b.cookie);
    await expectError(
      await ctx.request("DELETE", `/api/v1/me/sessions/${theirs!.id}`, { cookie: a.cookie }),
      404,
      "not_found",
    );
    expect((await ctx.request("GET", "/api/v1/me", { cookie: b.cookie })).status).toBe(200);
    await expectError(
      await ctx.request("DELETE", `/api/v1/me/sessions/${"s".repeat(65)}`, { cookie: a.cookie }),
      400,
      "validation_error",
    );
    await expectError(await ctx.request("GET", "/api/v1/me/sessions"), 401, "unauthenticated");
    await expectError(
      await ctx.request("POST", "/api/v1/me/sessions/end-others", {
        cookie: a.cookie,
        headers: { origin: "https://evil.test" },
      }),
      403,
      "forbidden_origin",
    );
  });
});

describe("change password", () => {
  it("needs the current password, keeps this session, ends the others and mails a notice", async () => {
    const c = await newCustomer(ctx);
    const other = await logIn(c.email);
    const change = (body: unknown) => ctx.request("PUT", "/api/v1/me/password", { cookie: c.cookie, body });

    await expectError(
      await change({ currentPassword: "wrong password", newPassword: "a brand new passphrase" }),
      401,
      "invalid_credentials",
    );
    await expectError(await change({ currentPassword: PASSWORD, newPassword: "short" }), 400, "password_too_short");
    await expectError(await change({ currentPassword: PASSWORD }), 400, "validation_error");
    expect((await change({ currentPassword: PASSWORD, newPassword: "a brand new passphrase" })).status).toBe(204);

    expect((await ctx.request("GET", "/api/v1/me", { cookie: c.cookie })).status).toBe(200);
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: other }), 401, "unauthenticated");
    await logIn(c.email, "a brand new passphrase");
    await expect
      .poll(() => smtp.to(c.email).map((m) => m.subject), { timeout: 10_000 })
      .toContain("Your password was changed");
  });
});

describe("change email", () => {
  it("becomes the log-in email only when the new address's link is opened; the old address is told", async () => {
    const c = await newCustomer(ctx);
    const next = uniqueEmail("moved");
    const change = (body: unknown) => ctx.request("PUT", "/api/v1/me/email", { cookie: c.cookie, body });

    await expectError(await change({ email: next, currentPassword: "wrong password" }), 401, "invalid_credentials");
    await expectError(await change({ email: "not an email", currentPassword: PASSWORD }), 400, "validation_error");
    await expectError(
      await change({ email: (await newCustomer(ctx)).email, currentPassword: PASSWORD }),
      409,
      "email_taken",
    );
    expect((await change({ email: next.toUpperCase(), currentPassword: PASSWORD })).status).toBe(202);

    const me = async () =>
      (
        (await (await ctx.request("GET", "/api/v1/me", { cookie: c.cookie })).json()) as {
          user: { email: string; emailVerified: boolean };
        }
      ).user;
    expect((await me()).email).toBe(c.email);
    await expect
      .poll(() => smtp.to(c.email).map((m) => m.subject), { timeout: 10_000 })
      .toContain("Your log-in email is being changed");
    expect(smtp.to(c.email).find((m) => m.subject === "Your log-in email is being changed")!.text).toContain(next);

    const token = await linkToken(next, "Confirm your email address");
    expect((await ctx.request("POST", `/api/v1/auth/email-verification/${token}`)).status).toBe(200);
    expect(await me()).toMatchObject({ email: next, emailVerified: true });
    await logIn(next);
    await expectError(
      await ctx.request("POST", "/api/v1/auth/login", { body: { email: c.email, password: PASSWORD } }),
      401,
      "invalid_credentials",
    );
  });

  it("an address taken after the link was sent: 409, and the log-in email stays", async () => {
    const c = await newCustomer(ctx);
    const next = uniqueEmail("race");
    expect(
      (
        await ctx.request("PUT", "/api/v1/me/email", {
          cookie: c.cookie,
          body: { email: next, currentPassword: PASSWORD },
        })
      ).status,
    ).toBe(202);
    const token = await linkToken(next, "Confirm your email address");
    await ctx.request("POST", "/api/v1/auth/signup", { body: { email: next, password: PASSWORD, name: "Quick Co" } });
    await expectError(await ctx.request("POST", `/api/v1/auth/email-verification/${token}`), 409, "email_taken");
    await logIn(c.email);
  });
});

describe("resending the verification link", () => {
  it("sends a new link to an unverified address, at most 5 an hour", async () => {
    const email = uniqueEmail("resend");
    const signup = await ctx.request("POST", "/api/v1/auth/signup", {
      body: { email, password: PASSWORD, name: "Resend Co" },
    });
    const cookie = (signup.headers.get("set-cookie") ?? "").split(";")[0]!;
    const first = await linkToken(email, "Confirm your email address");
    for (let i = 0; i < VERIFICATION_EMAIL_RULE.points; i++) {
      expect((await ctx.request("POST", "/api/v1/me/email-verification", { cookie })).status).toBe(202);
    }
    await expectError(await ctx.request("POST", "/api/v1/me/email-verification", { cookie }), 429, "rate_limited");
    await expect.poll(() => smtp.to(email).length, { timeout: 10_000 }).toBe(1 + VERIFICATION_EMAIL_RULE.points);
    await expectError(await ctx.request("POST", `/api/v1/auth/email-verification/${first}`), 404, "not_found"); // stale
    const newest = await linkToken(email, "Confirm your email address");
    expect((await ctx.request("POST", `/api/v1/auth/email-verification/${newest}`)).status).toBe(200);
  });
});
