import type { AccountEmailJob } from "../../db/auth/account-emails";
import type { EmailMessage } from "./messages";
import { m } from "./paraglide/messages.js";

/**
 * The email for one send_account_email job (db/auth/account-emails.ts), in the user's
 * language (server/notifications/messages/*.json): the link or notice, plain text. Without
 * SMTP_URL the mailer logs this text, links included (shared/DESIGN.md, "Customer portal").
 */
export function renderAccountEmail(job: AccountEmailJob): EmailMessage {
  const options = { locale: job.locale };
  const { email, url } = job;
  const body = (): { subject: string; lines: string[] } => {
    switch (job.kind) {
      case "password_reset":
        return {
          subject: m.password_reset_subject({}, options),
          lines: [
            m.password_reset_what({ email }, options),
            m.password_reset_link({ url }, options),
            m.password_reset_ignore({}, options),
          ],
        };
      case "password_changed":
        return {
          subject: m.password_changed_subject({}, options),
          lines: [m.password_changed_what({ email }, options), m.password_changed_not_you({ url }, options)],
        };
      case "verify_email":
        return {
          subject: m.verify_email_subject({}, options),
          lines: [m.verify_email_what({ email }, options), m.verify_email_link({ url }, options)],
        };
      case "email_change_requested":
        return {
          subject: m.email_change_requested_subject({}, options),
          lines: [
            m.email_change_requested_what({ email, newEmail: job.newEmail ?? "" }, options),
            m.email_change_requested_not_you({ url }, options),
          ],
        };
    }
  };
  const { subject, lines } = body();
  const text = [m.email_hello({ name: job.recipientName }, options), "", ...lines, "", m.email_signature({}, options)];
  return { subject, text: text.join("\n") };
}
