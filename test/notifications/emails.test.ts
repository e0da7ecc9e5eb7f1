import type { Runner } from "graphile-worker";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { suspendAccount } from "../../db/ledger/account-status";
import {
  NOTIFIED_EVENT_TYPES,
  enqueueNotifications,
  SEND_EMAIL_TASK,
  type EmailJob,
} from "../../db/notifications/enqueue";
import { formatMinor, renderEmail } from "../../server/notifications/messages";
import { createMailer } from "../../server/notifications/mailer";
import { runAutoTopup } from "../../workers/run-auto-topup";
import { declineThreeTimes, fakeClock, jobDeps, putAutoTopup, saveTestCard } from "../auto-topup/helpers";
import { createTestContext, newCustomer, startTaskWorker, mailedByThisFile, type Customer, type TestContext } from "../harness";
import { paidTopupFor } from "../documents/paid-topup";
import { pdfText } from "../documents/pdf-text";
import { startSmtpSink } from "./smtp-sink";

/**
 * Notification emails over real SMTP: events that need a person (auto top-up failures,
 * confirmation, suspension, refunds) are mailed to the account's owners and admins by the
 * send_email job, enqueued in the transaction of the change.
 */
let ctx: TestContext;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let worker: Runner;
beforeAll(async () => {
  smtp = await startSmtpSink();
  ctx = await createTestContext({ SMTP_URL: smtp.url, EMAIL_FROM: "Billing <billing@example.test>" });
  // A worker for send_email only, and only this file's emails (other files count their jobs).
  worker = await startTaskWorker(ctx, SEND_EMAIL_TASK, { owns: mailedByThisFile });
});
afterAll(async () => {
  await worker?.stop();
  await ctx?.close();
  await smtp?.close();
});

/** Adds an existing user (a new customer's login) to `c`'s account with `role`; returns their email. */
async function addMember(c: Customer, role: "admin" | "viewer"): Promise<string> {
  const other = await newCustomer(ctx);
  await ctx.deps.database.sql`
    INSERT INTO account_members (account_id, user_id, role)
    SELECT ${c.accountId}, m.user_id, ${role} FROM account_members m
     WHERE m.account_id = ${other.accountId}`;
  return other.email;
}

describe("notification emails", () => {
  it("three declines: the owner and an admin get two failure emails and one 'turned off'; a viewer gets none", async () => {
    const c = await newCustomer(ctx);
    const admin = await addMember(c, "admin");
    const viewer = await addMember(c, "viewer");
    await declineThreeTimes(ctx, c);

    await expect.poll(() => smtp.to(c.email).length, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => smtp.to(admin).length, { timeout: 10_000 }).toBe(3);
    const subjects = smtp
      .to(c.email)
      .map((m) => m.subject)
      .sort();
    expect(subjects).toEqual([
      "Auto top-up is turned off",
      "Auto top-up of €20.00 failed",
      "Auto top-up of €20.00 failed",
    ]);
    const off = smtp.to(c.email).find((m) => m.subject === "Auto top-up is turned off")!;
    expect(off.from).toMatch(/^"?Billing"? <billing@example\.test>$/);
    expect(off.text).toContain("Turned off after 3 failed attempts in a row");
    expect(off.text).toContain("http://localhost:3000/");
    expect(off.eventId).toMatch(/^evt_/);
    expect(smtp.to(viewer)).toEqual([]);
  });

  it("a charge that needs authentication mails the link to confirm it", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "3155");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_500 });
    expect(await runAutoTopup(jobDeps(ctx, fakeClock().now), c.accountId)).toMatchObject({ status: "requires_action" });
    await expect.poll(() => smtp.to(c.email).length, { timeout: 10_000 }).toBe(1);
    const [mail] = smtp.to(c.email);
    expect(mail!.subject).toBe("Please confirm the auto top-up of €25.00");
    expect(mail!.text).toMatch(/Confirm it here: http:\/\/localhost:3000\/\S+/);
  });

  it("an SMTP server that refuses for a while: the job retries and the email arrives once", async () => {
    const c = await newCustomer(ctx);
    smtp.refuse(c.email, 1);
    await suspendAccount(ctx.deps.ledger, c.accountId, "non_payment");
    await expect.poll(() => smtp.to(c.email).length, { timeout: 15_000, interval: 200 }).toBe(1);
    expect(smtp.to(c.email)[0]!.subject).toBe('Your account "Test Co" is suspended');
    expect(smtp.to(c.email)[0]!.text).toContain("A top-up that brings the balance back to zero or more restores it");
    // Done: the worker deletes a completed job (just after the server accepted the message).
    const jobs = () => ctx.deps.database.sql`
      SELECT 1 FROM graphile_worker._private_jobs
       WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${SEND_EMAIL_TASK})
         AND payload->>'to' = ${c.email}`;
    await expect.poll(async () => (await jobs()).length).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(c.email)).toHaveLength(1);
  });

  it("a user who chose German gets German emails, amounts formatted the German way", async () => {
    const c = await newCustomer(ctx);
    const setLocale = (locale: unknown) =>
      ctx.request("PUT", "/api/v1/me/locale", { cookie: c.cookie, body: { locale } });
    for (const bad of ["fr", "", 1, null]) {
      const res = await setLocale(bad);
      expect(res.status, String(bad)).toBe(400);
    }
    const res = await setLocale("de");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { locale: string } }).user.locale).toBe("de");

    await saveTestCard(ctx, c.accountId, "3155");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_500 });
    expect(await runAutoTopup(jobDeps(ctx, fakeClock().now), c.accountId)).toMatchObject({ status: "requires_action" });
    await expect.poll(() => smtp.to(c.email).length, { timeout: 10_000 }).toBe(1);
    const [mail] = smtp.to(c.email);
    expect(mail!.subject).toBe("Bitte bestätigen Sie das automatische Aufladen von 25,00\u00a0€");
    expect(mail!.text).toMatch(/^Hallo /);
    expect(mail!.text).toMatch(/Hier bestätigen: http:\/\/localhost:3000\/\S+/);
    expect(mail!.text).toContain("Ihr Konto: http://localhost:3000/");
  });

  it("a paid top-up mails its receipt as a PDF attachment, in the user's language", async () => {
    const c = await newCustomer(ctx);
    const de = await newCustomer(ctx);
    expect((await ctx.request("PUT", "/api/v1/me/locale", { cookie: de.cookie, body: { locale: "de" } })).status).toBe(200);
    await paidTopupFor(ctx, c, 2_500);
    await paidTopupFor(ctx, de, 1_000);
    await expect.poll(() => smtp.to(c.email).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => smtp.to(de.email).length, { timeout: 10_000 }).toBe(1);

    const [receipt] = await ctx.deps.database.sql<{ number: string }[]>`
      SELECT number FROM documents WHERE account_id = ${c.accountId} AND type = 'receipt'`;
    const [mail] = smtp.to(c.email);
    expect(mail!.subject).toBe("Top-up of €25.00 received");
    expect(mail!.text).toContain("Your balance is now €25.00.");
    expect(mail!.text).toContain(`Your receipt ${receipt!.number} is attached`);
    expect(mail!.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`${receipt!.number}.pdf`, "application/pdf"]]);
    const text = await pdfText(mail!.attachments[0]!.content);
    expect(text).toContain(receipt!.number);
    expect(text).toContain("25.00");
    // The attachment is the document the API serves, byte for byte.
    const [doc] = await ctx.deps.database.sql<{ id: string }[]>`SELECT id FROM documents WHERE number = ${receipt!.number}`;
    const served = await ctx.request("GET", `/api/v1/documents/${doc!.id}/pdf`, { cookie: c.cookie });
    expect(Buffer.from(await served.arrayBuffer()).equals(mail!.attachments[0]!.content)).toBe(true);

    const [german] = smtp.to(de.email);
    expect(german!.subject).toBe("Aufladung über 10,00\u00a0€ eingegangen");
    expect(german!.attachments[0]!.filename).toMatch(/^R-\d{4}-\d{6}\.pdf$/);
    expect(await pdfText(german!.attachments[0]!.content)).toMatch(/Beleg|Quittung|Rechnung/);
  });

  it("nothing is mailed for a change that rolled back, nor for events that need no one", async () => {
    const c = await newCustomer(ctx);
    await expect(
      ctx.deps.database.sql.begin(async (tx) => {
        const sent = await enqueueNotifications(tx, { accountId: c.accountId, type: "account.suspended", data: {} });
        expect(sent.emails).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const quiet = await enqueueNotifications(ctx.deps.database.sql, {
      accountId: c.accountId,
      type: "auto_topup.succeeded",
      data: { amount: 100 },
    });
    expect(quiet.emails).toBe(0);
    const jobs = await ctx.deps.database.sql`
      SELECT 1 FROM graphile_worker._private_jobs WHERE payload->>'accountId' = ${c.accountId}
         AND task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${SEND_EMAIL_TASK})`;
    expect(jobs).toHaveLength(0);
  });
});

describe("email content", () => {
  const job = (type: EmailJob["type"], data: Record<string, unknown>): EmailJob => ({
    to: "a@example.test",
    recipientName: "Ada",
    accountId: "acc_1",
    accountName: "Ada Ltd",
    currency: "EUR",
    type,
    eventId: "evt_1",
    data,
  });

  it("every emailed event type renders a subject and a text with the portal link", () => {
    for (const type of NOTIFIED_EVENT_TYPES) {
      const mail = renderEmail(
        job(type, { amount: 2_000, recovered: 500, reason: "paid" }),
        "https://pay.example.test",
      );
      expect(mail.subject.length, type).toBeGreaterThan(5);
      expect(mail.text, type).toContain("Hello Ada,");
      expect(mail.text, type).toContain("https://pay.example.test/");
    }
    expect(() => renderEmail(job("auto_topup.succeeded", {}), "https://x.test")).toThrow(/no email/);
    for (const type of NOTIFIED_EVENT_TYPES) {
      const mail = renderEmail({ ...job(type, { amount: 2_000, reason: "paid" }), locale: "de" }, "https://x.test");
      expect(mail.text, type).toContain("Hallo Ada,");
      expect(mail.text, type).toContain("Ihr Konto: https://x.test/");
    }
  });

  it("amounts are formatted from integer minor units exactly, in the currency's own digits", () => {
    expect(formatMinor(2_500, "EUR")).toBe("€25.00");
    expect(formatMinor(5, "EUR")).toBe("€0.05");
    expect(formatMinor(-150, "USD")).toBe("-$1.50");
    expect(formatMinor(500, "JPY")).toBe("¥500");
    expect(formatMinor(1_234, "KWD")).toBe("KWD\u00a01.234"); // Intl's no-break space
    expect(formatMinor(9_007_199_254_740_991, "EUR")).toBe("€90,071,992,547,409.91");
  });

  it("without SMTP_URL the email is logged, not sent", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const mailer = createMailer({ SMTP_URL: undefined, EMAIL_FROM: "x <x@example.test>" }, logger);
    expect(mailer.transport).toBe("log");
    const pdf = { filename: "R-2026-000001.pdf", contentType: "application/pdf", content: Buffer.from("%PDF-1.3 x") };
    await mailer.send("a@example.test", { subject: "Hello there", text: "Body", attachments: [pdf] }, "evt_2");
    expect(lines.join("")).toContain("Hello there");
    expect(JSON.parse(lines.join("")).attachments).toEqual([{ filename: "R-2026-000001.pdf", bytes: 10 }]);
    expect(lines.join("")).toContain("logged, not sent");
  });
});
