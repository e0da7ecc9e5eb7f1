import type { EmailJob } from "../db/notifications/enqueue";
import { renderEmail } from "../server/notifications/messages";
import type { Mailer } from "../server/notifications/mailer";

/**
 * The send_email task: renders one notification job (db/notifications/enqueue.ts) and
 * sends it. An SMTP error fails the job, so graphile-worker retries it with its backoff
 * (EMAIL_MAX_ATTEMPTS); the job's payload is the message's only input, so every attempt
 * sends the same email.
 * @throws Error from the mailer (retried)
 */
export async function sendEmail(mailer: Mailer, publicUrl: string, job: EmailJob): Promise<void> {
  await mailer.send(job.to, renderEmail(job, publicUrl), job.eventId);
}
