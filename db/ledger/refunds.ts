import { recordAudit, type AuditBy } from "../audit/record-audit";
import { withTransaction, type Queryable } from "../client";
import { newId } from "../ids";
import { enqueueNotifications } from "../notifications/enqueue";
import { RefundExceedsAvailableError, TopupNotFoundError } from "./errors";
import { notice } from "./notice";
import { toBalanceEvent } from "./post-entry";
import { eventData, lockFunds, postReversal, type LockedTopup } from "./reverse-payment";
import type { LedgerContext, PostedEntry } from "./types";

/** The graphile-worker task that asks the provider for one refund (workers/submit-refund.ts). */
export const SUBMIT_REFUND_TASK = "submit_refund";
/**
 * Attempts at the provider: 8. graphile-worker waits exp(attempt) s between them (about
 * 50 min in all), well inside Stripe's 24 h idempotency-key retention, so every attempt
 * is the same refund at Stripe.
 */
export const SUBMIT_REFUND_MAX_ATTEMPTS = 8;

export interface Refund {
  id: string;
  topupId: string;
  accountId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed";
  providerRefundId: string | null;
  failureReason: string | null;
  createdAt: string;
}

interface RefundRow {
  id: string;
  topup_id: string;
  account_id: string;
  amount: number;
  currency: string;
  status: Refund["status"];
  provider_refund_id: string | null;
  failure_reason: string | null;
  created_at: Date;
}

const toRefund = (r: RefundRow): Refund => ({
  id: r.id,
  topupId: r.topup_id,
  accountId: r.account_id,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  providerRefundId: r.provider_refund_id,
  failureReason: r.failure_reason,
  createdAt: r.created_at.toISOString(),
});

/**
 * Starts a refund of unused balance to the card that paid `topupId` (an operator's
 * decision). In one transaction, under the top-up's and the account's row locks: checks
 * that `amount` (default: all that is refundable) is at most what is left of the top-up
 * after earlier refunds and disputes AND what the account has available (balance - held;
 * never the overdraft: only unused money goes back), posts a `refund` entry for it,
 * records it (payment_reversals, so the provider's own `charge.refunded` for it later adds
 * nothing) and enqueues submit_refund. Debiting first means the money cannot be spent
 * while the provider is asked; a refund the provider finally refuses is credited back
 * (failRefund). Audited (`refund.requested` on the account, the refund as `after`, by `by`)
 * in the same transaction.
 * @throws TopupNotFoundError (also for a top-up not settled), RefundExceedsAvailableError
 */
export async function requestRefund(
  ctx: LedgerContext,
  input: { topupId: string; amount?: number },
  by: AuditBy,
): Promise<{ refund: Refund; posted: PostedEntry }> {
  const result = await withTransaction(ctx.sql, async (tx) => {
    const [topup] = await tx<LockedTopup[]>`
      SELECT id, account_id, amount, currency FROM topups
       WHERE id = ${input.topupId} AND status = 'succeeded' AND provider_payment_id IS NOT NULL FOR UPDATE`;
    if (!topup) throw new TopupNotFoundError(input.topupId);
    const funds = await lockFunds(tx, topup);
    const refundable = refundableNow(funds);
    const amount = input.amount ?? refundable;
    if (amount <= 0 || amount > refundable) throw new RefundExceedsAvailableError(amount, refundable, topup.currency);
    const id = newId("rf");
    const reversal = await postReversal(tx, ctx.issuer, topup, {
      kind: "refund",
      providerRef: `api:${id}`,
      amount,
      recovered: amount,
    });
    const [row] = await tx<RefundRow[]>`
      INSERT INTO refunds (id, topup_id, account_id, amount) VALUES (${id}, ${topup.id}, ${topup.account_id}, ${amount})
      RETURNING *, ${topup.currency}::text AS currency`;
    await tx`
      SELECT graphile_worker.add_job(${SUBMIT_REFUND_TASK}, json_build_object('refundId', ${id}::text),
                                     max_attempts := ${SUBMIT_REFUND_MAX_ATTEMPTS}::int)`;
    const refund = toRefund(row!);
    await recordAudit(tx, { ...by, action: "refund.requested", targetId: topup.account_id, before: null, after: refund });
    return { refund, posted: reversal.posted! };
  });
  ctx.events.publish(toBalanceEvent(result.posted));
  return result;
}

/**
 * What an operator refund of a settled top-up may take (minor units): what is left of it
 * (`open`) and unused in the balance (`available` = balance - held, never the overdraft);
 * 0 on a closed account.
 */
export function refundableNow(funds: { open: number; available: number; closed: boolean }): number {
  return funds.closed ? 0 : Math.max(0, Math.min(funds.open, funds.available));
}

/** A refund with the provider's id of the payment it goes back to; null when there is none. */
export async function getRefund(
  q: Queryable,
  refundId: string,
): Promise<{ refund: Refund; providerPaymentId: string } | null> {
  const [row] = await q<(RefundRow & { provider_payment_id: string })[]>`
    SELECT r.*, t.currency, t.provider_payment_id FROM refunds r JOIN topups t ON t.id = r.topup_id
     WHERE r.id = ${refundId}`;
  return row ? { refund: toRefund(row), providerPaymentId: row.provider_payment_id } : null;
}

/**
 * The provider refunded: marks the refund `succeeded` and tells the account
 * (`topup.refunded`: webhook, email, push) in one transaction, then its live stream.
 * Only a pending refund.
 */
export async function completeRefund(ctx: LedgerContext, refundId: string, providerRefundId: string): Promise<void> {
  const told = await ctx.sql.begin(async (tx) => {
    const [row] = await tx<Pick<RefundRow, "topup_id" | "account_id" | "amount">[]>`
      UPDATE refunds SET status = 'succeeded', provider_refund_id = ${providerRefundId}, updated_at = now()
       WHERE id = ${refundId} AND status = 'pending'
      RETURNING topup_id, account_id, amount`;
    if (!row) return null;
    const event = { accountId: row.account_id, data: { ...refundEventData(row), providerRefundId } };
    await enqueueNotifications(tx, { ...event, type: "topup.refunded" });
    return event;
  });
  // The open dashboard says it too, as for refunds made at the provider (reverse-payment.ts).
  if (told) ctx.events.notify(notice(told.accountId, "notification", "topup.refunded", told.data));
}

/**
 * The provider would not refund (its last attempt failed): credits the amount back
 * (a `refund_failed` reversal, so cumulative refund totals stay what the provider did)
 * and marks the refund `failed` with `reason`, in one transaction. Only a pending refund.
 */
export async function failRefund(ctx: LedgerContext, refundId: string, reason: string): Promise<void> {
  const posted = await ctx.sql.begin(async (tx) => {
    const [row] = await tx<Pick<RefundRow, "topup_id" | "amount">[]>`
      UPDATE refunds SET status = 'failed', failure_reason = ${reason}, updated_at = now()
       WHERE id = ${refundId} AND status = 'pending'
      RETURNING topup_id, amount`;
    if (!row) return null;
    const [topup] = await tx<
      LockedTopup[]
    >`SELECT id, account_id, amount, currency FROM topups WHERE id = ${row.topup_id} FOR UPDATE`;
    const reversal = await postReversal(tx, ctx.issuer, topup!, {
      kind: "refund_failed",
      providerRef: `api:${refundId}`,
      amount: row.amount,
      recovered: row.amount,
    });
    return reversal.posted;
  });
  if (posted) ctx.events.publish(toBalanceEvent(posted));
}

const refundEventData = (r: Pick<RefundRow, "topup_id" | "account_id" | "amount">) =>
  eventData({
    topupId: r.topup_id,
    accountId: r.account_id,
    kind: "refund",
    amount: r.amount,
    recovered: r.amount,
    posted: null,
  });
