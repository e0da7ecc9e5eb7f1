import type { Queryable } from "../client";
import { EMAIL_MAX_ATTEMPTS } from "../notifications/enqueue";

/** The graphile-worker task that sends one email about the user's log-in (workers/send-account-email.ts). */
export const SEND_ACCOUNT_EMAIL_TASK = "send_account_email";

/**
 * What an account email is about:
 * - password_reset: the reset link (`url`, 30 minutes);
 * - password_changed: the notice after a reset or a change of password (`url`: the reset page);
 * - verify_email: the verification link (`url`, a day) sent to the address it verifies;
 * - email_change_requested: the notice to the old address that `newEmail` was asked for.
 */
export type AccountEmailKind = "password_reset" | "password_changed" | "verify_email" | "email_change_requested";

/**
 * One send_account_email job. Unlike notifications (db/notifications/enqueue.ts) these go
 * to any address, verified or not: they are how an address gets verified or recovered.
 * `url` may carry a single-use token: graphile-worker deletes the job once it succeeded.
 */
export interface AccountEmailJob {
  kind: AccountEmailKind;
  to: string;
  recipientName: string;
  locale: "en" | "de";
  /** The user's log-in email when the job was made (the address the text talks about). */
  email: string;
  url: string;
  newEmail?: string;
}

/**
 * Enqueues one account email on `q` (inside the transaction of the change it tells of, so
 * a rolled-back change sends nothing). Retried like notifications (EMAIL_MAX_ATTEMPTS).
 */
export async function enqueueAccountEmail(q: Queryable, job: AccountEmailJob): Promise<void> {
  await q`SELECT graphile_worker.add_job(${SEND_ACCOUNT_EMAIL_TASK}, ${q.json(job as never)}::json,
                                          max_attempts := ${EMAIL_MAX_ATTEMPTS}::int)`;
}
