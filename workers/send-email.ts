import type { Sql } from "../db/client";
import { getDocument } from "../db/documents/list-documents";
import type { EmailJob } from "../db/notifications/enqueue";
import { renderMoneyDocument } from "../server/documents/pdf/money-document";
import { renderEmail, type EmailAttachment } from "../server/notifications/messages";
import type { Mailer } from "../server/notifications/mailer";

/**
 * The send_email task: renders one notification job (db/notifications/enqueue.ts) and
 * sends it, with the receipt's PDF attached when the event names one (`data.receiptId`,
 * topup.succeeded). An SMTP error fails the job, so graphile-worker retries it with its
 * backoff (EMAIL_MAX_ATTEMPTS); the job's payload and the issued, unchanging document are
 * the message's only inputs, so every attempt sends the same email (the PDF byte for byte).
 * @throws Error from the mailer (retried)
 */
export async function sendEmail(mailer: Mailer, sql: Sql, publicUrl: string, job: EmailJob): Promise<void> {
  const message = renderEmail(job, publicUrl);
  const receipt = await receiptAttachment(sql, job);
  await mailer.send(job.to, receipt ? { ...message, attachments: [receipt] } : message, job.eventId);
}

/** The PDF of the receipt the job's event names, `<number>.pdf`; null when it names none. */
async function receiptAttachment(sql: Sql, job: EmailJob): Promise<EmailAttachment | null> {
  if (typeof job.data.receiptId !== "string") return null;
  const receipt = await getDocument(sql, job.accountId, job.data.receiptId);
  if (!receipt) return null;
  return { filename: `${receipt.number}.pdf`, contentType: "application/pdf", content: await renderMoneyDocument(receipt) };
}
