import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "../e2e/free-port";

export interface ReceivedEmail {
  to: string;
  from: string;
  subject: string;
  text: string;
  eventId: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server; no TLS, no auth) that parses each message
 * (mailparser) it accepts. `refuse(address, times)` answers 451 to that recipient the next
 * `times` times, as a relay that is briefly unavailable.
 */
export async function startSmtpSink() {
  const received: ReceivedEmail[] = [];
  const refusals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const left = refusals.get(address.address) ?? 0;
      if (left > 0) {
        refusals.set(address.address, left - 1);
        const err = Object.assign(new Error("Try again later"), { responseCode: 451 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          for (const rcpt of session.envelope.rcptTo) {
            received.push({
              to: rcpt.address,
              from: mail.from?.text ?? "",
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              eventId: String(mail.headers.get("x-live-balance-event") ?? ""),
              attachments: mail.attachments.map((a) => ({ filename: a.filename ?? "", contentType: a.contentType, content: a.content })),
            });
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** The emails `to` received so far. */
    to: (address: string) => received.filter((m) => m.to === address),
    refuse: (address: string, times: number) => void refusals.set(address, times),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
