import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEND_ACCOUNT_EMAIL_TASK } from "../../db/auth/account-emails";
import { enqueueNotifications } from "../../db/notifications/enqueue";
import { LOGIN_FREE_FAILURES } from "../../server/auth/login-throttle";
import { PASSWORD_RESET_RULES } from "../../server/rate-limits";
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
const uniqueEmail = (tag: string) =>
  `${tag}_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2)}@example.test`;
/** A documentation-range IPv6 address per call, so throttles of different tests do not meet. */
const newIp = () =>
  `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;

const askReset = (email: string, ip = newIp()) =>
  ctx.request("POST", "/api/v1/auth/password-reset", { body: { email }, headers: { "x-forwarded-for": ip } });
const setPassword = (token: string, password: string) =>
  ctx.request("POST", `/api/v1/auth/password-reset/${token}`, { body: { password } });
const login = (email: string, password: string, ip = newIp()) =>
  ctx.request("POST", "/api/v1/auth/login", { body: { email, password }, headers: { "x-forwarded-for": ip } });

/** The token of the link in the newest email to `to` whose subject is `subject` (waits for it). */
async function linkToken(to: string, subject: string, path: "reset-password" | "verify-email"): Promise<string> {
  await expect
    .poll(() => smtp.to(to).filter((m) => m.subject === subject).length, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const mail = smtp
    .to(to)
    .filter((m) => m.subject === subject)
    .at(-1)!;
  const match = new RegExp(`http://localhost:3000/${path}/([A-Za-z0-9_-]+)`).exec(mail.text);
  expect(match, mail.text).not.toBeNull();
  return match![1]!;
}

describe("password reset", () => {
  it("emails a single-use link; the new password works, every session ends, a notice follows, the change is audited", async () => {
    const c = await newCustomer(ctx);
    const other = await login(c.email, PASSWORD);
    const otherCookie = (other.headers.get("set-cookie") ?? "").split(";")[0]!;

    expect((await askReset(c.email.toUpperCase())).status).toBe(202);
    const token = await linkToken(c.email, "Reset your password", "reset-password");
    expect(smtp.to(c.email).at(-1)!.text).toContain("30 minutes");
    const stored = await ctx.deps.database.sql`SELECT id FROM user_tokens WHERE id = ${token}`;
    expect(stored).toHaveLength(0); // only the hash is stored

    expect((await setPassword(token, "a brand new passphrase")).status).toBe(204);
    await expectError(await setPassword(token, "yet another passphrase"), 404, "not_found"); // single use

    for (const cookie of [c.cookie, otherCookie])
      await expectError(await ctx.request("GET", "/api/v1/me", { cookie }), 401, "unauthenticated");
    await expectError(await login(c.email, PASSWORD), 401, "invalid_credentials");
    expect((await login(c.email, "a brand new passphrase")).status).toBe(200);

    await expect
      .poll(() => smtp.to(c.email).map((m) => m.subject), { timeout: 10_000 })
      .toContain("Your password was changed");
    const notice = smtp.to(c.email).find((m) => m.subject === "Your password was changed")!;
    expect(notice.text).toContain("http://localhost:3000/forgot-password");
    const [audit] = await ctx.deps.database.sql<{ action: string; after: { sessionsEnded: number } }[]>`
      SELECT a.action, a.after FROM audit_log a JOIN users u ON a.target_id = u.id
       WHERE u.email = ${c.email} AND a.action = 'user.password_reset'`;
    expect(audit!.after.sessionsEnded).toBe(2);
  });

  it("answers an unknown email exactly like a known one, and mails nobody", async () => {
    const unknown = uniqueEmail("nobody");
    const res = await askReset(unknown);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(unknown)).toEqual([]);
    await expectError(await ctx.request("POST", "/api/v1/auth/password-reset", { body: {} }), 400, "validation_error");
    await expectError(await askReset("x".repeat(255)), 400, "validation_error");
  });

  it("takes as long for unknown emails as for known ones (medians of 15 each, interleaved, within 5 ms)", async () => {
    const known = await Promise.all(Array.from({ length: 15 }, () => newCustomer(ctx)));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const timed = async (email: string) => {
      const started = performance.now();
      expect((await askReset(email)).status).toBe(202);
      return performance.now() - started;
    };
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    for (const c of known) {
      knownMs.push(await timed(c.email));
      unknownMs.push(await timed(uniqueEmail("timing")));
    }
    // The lookup, the link and its email happen after the answer; the slack is for a loaded machine.
    expect(Math.abs(median(knownMs) - median(unknownMs))).toBeLessThan(5);
  });

  it("refuses unknown, expired and malformed tokens (404) and keeps the link after a refused password", async () => {
    const c = await newCustomer(ctx);
    await askReset(c.email);
    const token = await linkToken(c.email, "Reset your password", "reset-password");

    await expectError(await setPassword("x".repeat(43), "a brand new passphrase"), 404, "not_found");
    await expectError(await setPassword(token, "short"), 400, "password_too_short");
    await expectError(await setPassword(token, "password123"), 400, "password_too_common");
    await expectError(
      await ctx.request("POST", `/api/v1/auth/password-reset/${token}`, { body: {} }),
      400,
      "validation_error",
    );
    await expectError(await setPassword("y".repeat(129), "a brand new passphrase"), 400, "validation_error");

    await ctx.deps.database.sql`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id =
      (SELECT id FROM users WHERE email = ${c.email}) AND purpose = 'password_reset'`;
    await expectError(await setPassword(token, "a brand new passphrase"), 404, "not_found");
    expect((await login(c.email, PASSWORD)).status).toBe(200);
  });

  it("a newer reset makes older links stale once one is used", async () => {
    const c = await newCustomer(ctx);
    await askReset(c.email);
    const first = await linkToken(c.email, "Reset your password", "reset-password");
    await askReset(c.email);
    await expect
      .poll(() => smtp.to(c.email).filter((m) => m.subject === "Reset your password").length, { timeout: 10_000 })
      .toBe(2);
    const second = await linkToken(c.email, "Reset your password", "reset-password");
    expect(second).not.toBe(first);
    expect((await setPassword(second, "a brand new passphrase")).status).toBe(204);
    await expectError(await setPassword(first, "another new passphrase"), 404, "not_found");
  });

  it("is throttled per email, unknown emails alike (429 with Retry-After)", async () => {
    for (const email of [(await newCustomer(ctx)).email, uniqueEmail("ghost")]) {
      for (let i = 0; i < PASSWORD_RESET_RULES.perEmail.points; i++) expect((await askReset(email)).status).toBe(202);
      const res = await askReset(email);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectError(res, 429, "rate_limited");
    }
  });

  it("is throttled per client IP over many emails", async () => {
    const ip = newIp();
    for (let i = 0; i < PASSWORD_RESET_RULES.perIp.points; i++)
      expect((await askReset(uniqueEmail("ip"), ip)).status).toBe(202);
    await expectError(await askReset(uniqueEmail("ip"), ip), 429, "rate_limited");
  });

  it("clears the log-in throttle of the email", async () => {
    const c = await newCustomer(ctx);
    const ip = newIp();
    for (let i = 0; i <= LOGIN_FREE_FAILURES; i++) await login(c.email, "wrong password", ip);
    await expectError(await login(c.email, PASSWORD, ip), 429, "rate_limited");
    await askReset(c.email);
    const token = await linkToken(c.email, "Reset your password", "reset-password");
    expect((await setPassword(token, "a brand new passphrase")).status).toBe(204);
    expect((await login(c.email, "a brand new passphrase", ip)).status).toBe(200);
  });
});

describe("email verification", () => {
  it("sign-up mails a link; until it is opened the portal works but notifications are not mailed", async () => {
    const email = uniqueEmail("verify");
    const res = await ctx.request("POST", "/api/v1/auth/signup", {
      body: { email, password: PASSWORD, name: "Verify Co", locale: "de" },
    });
    expect(res.status).toBe(201);
    const me = (await res.json()) as { user: { emailVerified: boolean }; account: { id: string } };
    expect(me.user.emailVerified).toBe(false);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;

    const notify = () =>
      ctx.deps.database.sql.begin((tx) =>
        enqueueNotifications(tx, {
          accountId: me.account.id,
          type: "webhook_endpoint.disabled",
          data: { url: "https://x.test", reason: "t" },
        }),
      );
    expect((await notify()).emails).toBe(0);

    const token = await linkToken(email, "Bestätigen Sie Ihre E-Mail-Adresse", "verify-email");
    expect(smtp.to(email).at(-1)!.text).toContain("24 Stunden");
    const verified = await ctx.request("POST", `/api/v1/auth/email-verification/${token}`);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ email });
    await expectError(await ctx.request("POST", `/api/v1/auth/email-verification/${token}`), 404, "not_found");
    await expectError(await ctx.request("POST", `/api/v1/auth/email-verification/${"z".repeat(43)}`), 404, "not_found");

    const after = (await (await ctx.request("GET", "/api/v1/me", { cookie })).json()) as {
      user: { emailVerified: boolean };
    };
    expect(after.user.emailVerified).toBe(true);
    expect((await notify()).emails).toBe(1);
    const [audit] = await ctx.deps.database.sql`
      SELECT 1 FROM audit_log a JOIN users u ON u.id = a.target_id WHERE u.email = ${email} AND a.action = 'user.email_verified'`;
    expect(audit).toBeDefined();
  });
});
