import nodemailer from "nodemailer";
import type { Env } from "../env";
import type { Logger } from "../logger";
import type { EmailMessage } from "./messages";

/** Seconds an SMTP step may take before the attempt fails and the job retries: connect 10 s, idle 30 s. */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

export interface Mailer {
  /** `smtp` (SMTP_URL set) or `log` (the embedded default: emails are written to the log, not sent). */
  readonly transport: "smtp" | "log";
  /**
   * Sends one email from EMAIL_FROM. `id` (the notification's event id) becomes the
   * `X-Live-Balance-Event` header, to trace a message back to its event.
   * @throws Error when the SMTP server cannot be reached or refuses the message (the job retries)
   */
  send(to: string, message: EmailMessage, id: string): Promise<void>;
  close(): void;
}

/**
 * The notification mailer (nodemailer): SMTP to SMTP_URL (`smtp://user:pass@host:587`
 * with STARTTLS when offered, `smtps://...:465` for TLS from the start), or, without
 * SMTP_URL, nodemailer's JSON transport with each message logged at info level, so the
 * embedded default shows what would have been sent.
 */
export function createMailer(env: Pick<Env, "SMTP_URL" | "EMAIL_FROM">, logger: Logger): Mailer {
  const smtp = Boolean(env.SMTP_URL);
  const transporter = smtp
    ? nodemailer.createTransport({
        url: env.SMTP_URL,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        greetingTimeout: CONNECTION_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
      })
    : nodemailer.createTransport({ jsonTransport: true });
  return {
    transport: smtp ? "smtp" : "log",
    async send(to, message, id) {
      // Copies: nodemailer rewrites attachment objects in place (content to base64).
      const attachments = message.attachments?.map((a) => ({ ...a }));
      const files = message.attachments?.map((a) => ({ filename: a.filename, bytes: a.content.length }));
      const info = await transporter.sendMail({
        from: env.EMAIL_FROM,
        to,
        subject: message.subject,
        text: message.text,
        attachments,
        headers: { "X-Live-Balance-Event": id },
      });
      if (smtp) logger.info({ to, subject: message.subject, eventId: id, messageId: info.messageId }, "email sent");
      else
        logger.info(
          {
            to,
            subject: message.subject,
            eventId: id,
            text: message.text,
            attachments: files,
          },
          "email (SMTP_URL unset: logged, not sent)",
        );
    },
    close: () => transporter.close(),
  };
}
