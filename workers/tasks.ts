import type { TaskList } from "graphile-worker";
import { AUTO_TOPUP_JOB_MAX_ATTEMPTS, AUTO_TOPUP_TASK, autoTopupJobKey } from "../db/auto-topup/job";
import {
  enqueueStatements,
  ISSUE_STATEMENT_TASK,
  ISSUE_STATEMENTS_TASK,
  issueStatement,
  monthBounds,
  periodOf,
} from "../db/documents/statement";
import { pruneIdempotencyKeys } from "../db/idempotency/prune";
import { suspendOverdrawnAccounts } from "../db/ledger/overdraft";
import { SUBMIT_REFUND_TASK } from "../db/ledger/refunds";
import { expireHolds } from "../db/ledger/release-hold";
import { BALANCE_LOW_TASK, enqueueBalanceLow, type BalanceLowJob } from "../db/notifications/balance-low";
import { notice } from "../db/ledger/notice";
import { SEND_INVITATION_TASK, type InvitationEmailJob } from "../db/members/invitations";
import { SEND_EMAIL_TASK, SEND_PUSH_TASK, type EmailJob, type PushJob } from "../db/notifications/enqueue";
import { DELIVER_WEBHOOK_TASK } from "../db/webhooks/enqueue";
import { SEND_ACCOUNT_EMAIL_TASK, type AccountEmailJob } from "../db/auth/account-emails";
import { renderAccountEmail } from "../server/notifications/account-emails";
import type { Logger } from "../server/logger";
import { renderInvitationEmail } from "../server/notifications/invitation-email";
import type { AppDeps } from "../server/context";
import { deliverWebhook, WebhookDeliveryFailed } from "./deliver-webhook";
import { ATTEMPT_LEASE_MS, runAutoTopup, type AutoTopupDeps } from "./run-auto-topup";
import { sendEmail } from "./send-email";
import { sendPush } from "./send-push";
import { submitRefund } from "./submit-refund";
import { dropPreviousWebhookSecret, DROP_PREVIOUS_WEBHOOK_SECRET_TASK } from "../db/webhooks/edit-endpoint";

/** Most accounts one sweep enqueues: 1000 (bounded work; the next sweep continues). */
const SWEEP_BATCH = 1000;

/**
 * Recurring tasks (graphile-worker crontab syntax): holds expire within a minute of
 * `expiresAt`; Idempotency-Keys are pruned hourly once 24 h old; the auto top-up sweep runs every 5 minutes to catch a crossing whose job
 * was lost or gave up (shared/DESIGN.md, "Auto top-up": "a periodic sweep catches misses").
 */
export const CRONTAB = [
  "* * * * * expire_holds",
  "*/5 * * * * auto_topup_sweep",
  "*/15 * * * * suspend_overdrawn",
  // 03:00 UTC on the 1st: last month's statements (after the month's last entries have committed)
  `0 3 1 * * ${ISSUE_STATEMENTS_TASK}`,
  "0 * * * * prune_idempotency_keys",
].join("\n");

/**
 * The worker's tasks:
 * - auto_topup `{ accountId }`: runAutoTopup (one account);
 * - auto_topup_sweep: enqueues auto_topup for every enabled, unpaused account below its
 *   threshold whose cooldown is over, or with an attempt left pending past its lease (a
 *   crashed run, resumed with the same idempotency key); same job key, so no duplicates;
 * - expire_holds: releases holds past their expiry (expireHolds);
 * - prune_idempotency_keys (hourly): deletes Idempotency-Keys older than 24 h (pruneIdempotencyKeys);
 * - suspend_overdrawn (every 15 min): the non-payment rule, suspendOverdrawnAccounts with
 *   NON_PAYMENT_GRACE_HOURS (0 = off);
 * - deliver_webhook `{ endpointId, eventId }`: one attempt of one webhook delivery
 *   (deliverWebhook); a failed attempt fails the job, so graphile-worker retries it with
 *   its exponential backoff until the last attempt;
 * - send_email (EmailJob): one notification email (sendEmail); an SMTP error is retried;
 * - send_account_email (AccountEmailJob): one reset link, verification link or security
 *   notice (server/notifications/account-emails.ts); retried like send_email;
 * - send_invitation (InvitationEmailJob): one invitation email with its accept link; retried like send_email;
 * - send_push (PushJob): one Web Push message to one browser (sendPush); 429/5xx retried;
 * - balance_low (BalanceLowJob): a low-balance alert fired (db/ledger/post-entry.ts): the
 *   balance.low webhook event, emails and pushes (enqueueBalanceLow), and the live notification;
 * - submit_refund `{ refundId }`: an operator's refund at the provider (submitRefund);
 * - issue_statements (03:00 UTC on the 1st; `{ period }` optional, default last month):
 *   enqueues issue_statement for every account with entries in the month (job key per
 *   account and month, so a rerun adds nothing);
 * - issue_statement `{ accountId, period }`: issueStatement, once per account and month.
 * - drop_previous_webhook_secret `{ endpointId }` (run at a secret roll's overlap end):
 *   dropPreviousWebhookSecret.
 */
export function createTaskList(
  deps: AutoTopupDeps & Pick<AppDeps, "env" | "webhookTargets" | "mailer" | "publicUrl" | "vapid"> & { logger: Logger },
): TaskList {
  return {
    [AUTO_TOPUP_TASK]: async (payload) => {
      const { accountId } = payload as { accountId: string };
      const run = await runAutoTopup(deps, accountId);
      deps.logger.info({ accountId, run }, "auto top-up run");
    },
    auto_topup_sweep: async () => {
      const now = deps.now();
      const rows = await deps.ledger.sql`
        SELECT s.account_id FROM auto_topup_settings s JOIN accounts a ON a.id = s.account_id
         WHERE s.enabled AND s.action_url IS NULL AND a.status <> 'closed'
           AND ((a.balance < s.threshold
                 AND (s.last_attempt_at IS NULL OR s.last_attempt_at + make_interval(mins => s.cooldown_minutes) <= ${now}))
                OR EXISTS (SELECT 1 FROM topups t
                            WHERE t.account_id = s.account_id AND t.kind = 'auto' AND t.status = 'pending'
                              AND t.action_url IS NULL AND t.created_at < ${new Date(now.getTime() - ATTEMPT_LEASE_MS)}))
         LIMIT ${SWEEP_BATCH}`;
      for (const { account_id: accountId } of rows as unknown as { account_id: string }[]) {
        await deps.ledger.sql`
          SELECT graphile_worker.add_job(${AUTO_TOPUP_TASK}, json_build_object('accountId', ${accountId}::text),
                                         job_key := ${autoTopupJobKey(accountId)}, max_attempts := ${AUTO_TOPUP_JOB_MAX_ATTEMPTS}::int)`;
      }
    },
    [ISSUE_STATEMENTS_TASK]: async (payload) => {
      const lastMonth = periodOf(new Date(monthBounds(periodOf(deps.now())).from.getTime() - 1));
      const period = (payload as { period?: string } | null)?.period ?? lastMonth;
      let after: string | null = "";
      while (after !== null) after = await enqueueStatements(deps.ledger.sql, period, after);
    },
    [ISSUE_STATEMENT_TASK]: async (payload) => {
      const { accountId, period } = payload as { accountId: string; period: string };
      await issueStatement(deps.ledger.sql, deps.ledger.issuer, accountId, period, deps.now());
    },
    [DELIVER_WEBHOOK_TASK]: async (payload, helpers) => {
      const key = payload as { endpointId: string; eventId: string };
      const attempt = { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts };
      const result = await deliverWebhook(deps.ledger.sql, key, attempt, deps.webhookTargets);
      if (result.kind === "sent" && result.retry) {
        throw new WebhookDeliveryFailed(`webhook ${key.eventId} to ${key.endpointId}: ${result.error}`);
      }
    },
    [DROP_PREVIOUS_WEBHOOK_SECRET_TASK]: async (payload) => {
      await dropPreviousWebhookSecret(deps.ledger.sql, (payload as { endpointId: string }).endpointId);
    },
    [SEND_EMAIL_TASK]: async (payload) => {
      await sendEmail(deps.mailer, deps.ledger.sql, deps.publicUrl, payload as EmailJob);
    },
    [SEND_ACCOUNT_EMAIL_TASK]: async (payload, helpers) => {
      // No event behind these: the job's id traces the message (X-Live-Balance-Event).
      await deps.mailer.send((payload as AccountEmailJob).to, renderAccountEmail(payload as AccountEmailJob), `job:${helpers.job.id}`);
    },
    [SEND_INVITATION_TASK]: async (payload) => {
      const job = payload as InvitationEmailJob;
      await deps.mailer.send(job.to, renderInvitationEmail(job), job.invitationId);
    },
    [SEND_PUSH_TASK]: async (payload) => {
      const job = payload as PushJob;
      const result = await sendPush(deps.ledger.sql, deps.vapid, deps.webhookTargets, deps.publicUrl, job);
      if (result !== "sent") deps.logger.info({ subscriptionId: job.subscriptionId, result }, "push not delivered");
    },
    [BALANCE_LOW_TASK]: async (payload) => {
      const job = payload as BalanceLowJob;
      const eventId = await deps.ledger.sql.begin((tx) => enqueueBalanceLow(tx, job));
      deps.ledger.events.notify(notice(job.accountId, "notification", "balance.low", { ...job, eventId }));
    },
    [SUBMIT_REFUND_TASK]: async (payload, helpers) => {
      const { refundId } = payload as { refundId: string };
      const attempt = { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts };
      const result = await submitRefund(deps, refundId, attempt);
      deps.logger.info({ refundId, result }, "refund submitted");
    },
    suspend_overdrawn: async () => {
      const graceHours = deps.env.NON_PAYMENT_GRACE_HOURS;
      if (graceHours === 0) return;
      const overdrawnBefore = new Date(deps.now().getTime() - graceHours * 3_600_000);
      const suspended = await suspendOverdrawnAccounts(deps.ledger, overdrawnBefore);
      if (suspended.length > 0) deps.logger.info({ suspended }, "accounts suspended for non-payment");
    },
    prune_idempotency_keys: async () => {
      const pruned = await pruneIdempotencyKeys(deps.ledger.sql, deps.now());
      if (pruned > 0) deps.logger.info({ pruned }, "idempotency keys pruned");
    },
    expire_holds: async () => {
      const expired = await expireHolds(deps.ledger, deps.now());
      if (expired > 0) deps.logger.info({ expired }, "holds expired");
    },
  };
}
