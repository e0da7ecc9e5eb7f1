import type { Queryable } from "../client";
import { issueCreditNote } from "../documents/issue-credit-note";
import type { Issuer } from "../documents/issuer";
import { newId } from "../ids";
import { enqueueNotifications } from "../notifications/enqueue";
import { notice } from "./notice";
import { postEntry, toBalanceEvent } from "./post-entry";
import type { LedgerContext, PostedEntry } from "./types";

/** What a reversal did; null when the payment is not one of our settled top-ups, or it was applied before. */
export interface ReversalResult {
  topupId: string;
  accountId: string;
  kind: "refund" | "refund_failed" | "dispute" | "dispute_won";
  /** What the provider moved, minor units. */
  amount: number;
  /** What the ledger entry took from (or, for dispute_won, gave back to) the balance: 0..amount. */
  recovered: number;
  posted: PostedEntry | null;
}

/** A settled top-up, locked FOR UPDATE by the caller. */
export interface LockedTopup {
  id: string;
  account_id: string;
  amount: number;
  currency: string;
}

/**
 * The provider reports `amountRefunded` (minor units, cumulative over all refunds of the
 * payment, as Stripe's `charge.refunded` carries `amount_refunded`) for the payment
 * `providerPaymentId`: posts the part not applied yet as a `refund` entry. Cumulative
 * totals make it order-proof and replay-proof: under the top-up's row lock the new part is
 * `amountRefunded` minus what earlier refunds applied, so an older or repeated event does
 * nothing. The entry takes at most what the account has available (see reverse()).
 * @returns null when the payment is not a settled top-up of ours or nothing is new
 */
export async function applyRefundedTotal(
  ctx: LedgerContext,
  input: { providerPaymentId: string; chargeId: string; amountRefunded: number; currency: string },
): Promise<ReversalResult | null> {
  return inTopupLock(ctx, input.providerPaymentId, input.currency, async (tx, topup) => {
    // Operator refunds that failed at the provider (refund_failed) were never refunded there.
    const [prior] = await tx<{ refunded: number }[]>`
      SELECT coalesce(sum(CASE kind WHEN 'refund' THEN amount ELSE -amount END), 0)::bigint AS refunded
        FROM payment_reversals WHERE topup_id = ${topup.id} AND kind IN ('refund', 'refund_failed')`;
    const amount = Math.min(input.amountRefunded, topup.amount) - prior!.refunded;
    if (amount <= 0) return null;
    return reverse(tx, ctx.issuer, topup, {
      kind: "refund",
      providerRef: `${input.chargeId}:${input.amountRefunded}`,
      amount,
    });
  });
}

/**
 * A dispute on the payment `providerPaymentId` withdrew `amount` (Stripe
 * `charge.dispute.created`): posts a `dispute` entry taking at most what the account has
 * available. Once per dispute id.
 * @returns null when the payment is not a settled top-up of ours or the dispute was applied before
 */
export async function applyDisputeOpened(
  ctx: LedgerContext,
  input: { providerPaymentId: string; disputeId: string; amount: number; currency: string },
): Promise<ReversalResult | null> {
  return inTopupLock(ctx, input.providerPaymentId, input.currency, async (tx, topup) => {
    if (await applied(tx, "dispute", input.disputeId)) return null;
    return reverse(tx, ctx.issuer, topup, {
      kind: "dispute",
      providerRef: input.disputeId,
      amount: Math.min(input.amount, topup.amount),
    });
  });
}

/**
 * A dispute was won (Stripe `charge.dispute.closed`, status `won`): the funds came back,
 * so what the `dispute` entry took from the customer is credited back. Once per dispute id;
 * nothing when the dispute was never applied.
 * @returns null when there is nothing (more) to give back
 */
export async function applyDisputeWon(
  ctx: LedgerContext,
  input: { providerPaymentId: string; disputeId: string; currency: string },
): Promise<ReversalResult | null> {
  return inTopupLock(ctx, input.providerPaymentId, input.currency, async (tx, topup) => {
    const [opened] = await tx<{ amount: number; recovered: number }[]>`
      SELECT amount, recovered FROM payment_reversals WHERE kind = 'dispute' AND provider_ref = ${input.disputeId}`;
    if (!opened || (await applied(tx, "dispute_won", input.disputeId))) return null;
    return reverse(tx, ctx.issuer, topup, {
      kind: "dispute_won",
      providerRef: input.disputeId,
      amount: opened.amount,
      giveBack: opened.recovered,
    });
  });
}

/**
 * Runs `apply` in one transaction holding the row lock of the settled top-up paid by
 * `providerPaymentId` (every reversal of one payment is serialized by it), then
 * publishes the new balance and a `payment` notice on the account's live stream.
 */
async function inTopupLock(
  ctx: LedgerContext,
  providerPaymentId: string,
  currency: string,
  apply: (tx: Queryable, topup: LockedTopup) => Promise<ReversalResult | null>,
): Promise<ReversalResult | null> {
  const result = await ctx.sql.begin(async (tx) => {
    const [topup] = await tx<LockedTopup[]>`
      SELECT id, account_id, amount, currency FROM topups
       WHERE provider_payment_id = ${providerPaymentId} AND status = 'succeeded' AND currency = ${currency}
         FOR UPDATE`;
    return topup ? apply(tx, topup) : null;
  });
  if (result?.posted) ctx.events.publish(toBalanceEvent(result.posted));
  if (result) ctx.events.notify(notice(result.accountId, "notification", webhookType(result.kind), eventData(result)));
  return result;
}

const applied = async (tx: Queryable, kind: ReversalResult["kind"], providerRef: string) =>
  (await tx`SELECT 1 FROM payment_reversals WHERE kind = ${kind} AND provider_ref = ${providerRef}`).length > 0;

/**
 * Posts one reversal and records it. A refund or dispute takes min(amount, balance - held
 * + overdraft limit, what earlier reversals left of the top-up) (0 on a closed account):
 * the account's funds rule (a database CHECK) holds, a top-up is never taken back twice
 * (a refund and a dispute of the same money), and what the customer already spent stays
 * unrecovered, visible in the record and the webhook event. `giveBack` (dispute_won)
 * credits that amount. The `topup.refunded` / `topup.disputed` / `topup.dispute_won`
 * webhook event is enqueued in the same transaction.
 */
async function reverse(
  tx: Queryable,
  issuer: Issuer,
  topup: LockedTopup,
  r: { kind: ReversalResult["kind"]; providerRef: string; amount: number; giveBack?: number },
): Promise<ReversalResult> {
  let recovered: number;
  if (r.giveBack !== undefined) {
    recovered = r.giveBack;
  } else {
    const funds = await lockFunds(tx, topup);
    recovered = funds.closed ? 0 : Math.max(0, Math.min(r.amount, funds.available + funds.overdraftLimit, funds.open));
  }
  const result = await postReversal(tx, issuer, topup, { ...r, recovered });
  await enqueueNotifications(tx, { accountId: topup.account_id, type: webhookType(r.kind), data: eventData(result) });
  return result;
}

/**
 * Locks the top-up's account row and reads what a reversal may take: `available`
 * (balance - held), the overdraft limit, and `open`, what earlier reversals left of the
 * top-up (view topup_taken_back: refunds and disputes take, won disputes and failed
 * refunds give back).
 */
export async function lockFunds(
  tx: Queryable,
  topup: LockedTopup,
): Promise<{ available: number; overdraftLimit: number; open: number; closed: boolean }> {
  const [row] = await tx<{ available: number; overdraft_limit: number; status: string; taken: number }[]>`
    SELECT balance - held AS available, overdraft_limit, status,
           coalesce((SELECT taken FROM topup_taken_back WHERE topup_id = ${topup.id}), 0)::bigint AS taken
      FROM accounts WHERE id = ${topup.account_id} FOR UPDATE`;
  return {
    available: row!.available,
    overdraftLimit: row!.overdraft_limit,
    open: topup.amount - row!.taken,
    closed: row!.status === "closed",
  };
}

/**
 * Posts a reversal's entry (none when `recovered` is 0), records it in
 * payment_reversals and issues its credit note (db/documents/issue-credit-note.ts):
 * refund and dispute take `recovered` from the balance, dispute_won and refund_failed
 * give it back (contra `refunds` for refunds, `disputes` for disputes). Inside the
 * caller's transaction, with the top-up locked.
 */
export async function postReversal(
  tx: Queryable,
  issuer: Issuer,
  topup: LockedTopup,
  r: { kind: ReversalResult["kind"]; providerRef: string; amount: number; recovered: number },
): Promise<ReversalResult> {
  const givesBack = r.kind === "dispute_won" || r.kind === "refund_failed";
  const isRefund = r.kind === "refund" || r.kind === "refund_failed";
  const posted =
    r.recovered === 0
      ? null
      : await postEntry(tx, {
          accountId: topup.account_id,
          amount: givesBack ? r.recovered : -r.recovered,
          type: isRefund ? "refund" : "dispute",
          contra: isRefund ? "refunds" : "disputes",
          externalRef: `${r.kind}:${r.providerRef}`,
          description: DESCRIPTIONS[r.kind],
          metadata: { topupId: topup.id },
          reversal: true,
        });
  const id = newId("prv");
  await tx`
    INSERT INTO payment_reversals (id, topup_id, account_id, kind, provider_ref, amount, recovered, ledger_entry_id)
    VALUES (${id}, ${topup.id}, ${topup.account_id}, ${r.kind}, ${r.providerRef}, ${r.amount}, ${r.recovered},
            ${posted?.entry.id ?? null})`;
  await issueCreditNote(tx, issuer, {
    id,
    topupId: topup.id,
    accountId: topup.account_id,
    kind: r.kind,
    providerRef: r.providerRef,
    amount: r.amount,
    currency: topup.currency,
  });
  return {
    topupId: topup.id,
    accountId: topup.account_id,
    kind: r.kind,
    amount: r.amount,
    recovered: r.recovered,
    posted,
  };
}

const DESCRIPTIONS: Record<ReversalResult["kind"], string> = {
  refund: "Refund of a top-up",
  refund_failed: "Refund failed at the payment provider: amount returned",
  dispute: "Card dispute on a top-up",
  dispute_won: "Card dispute won: funds reinstated",
};

const webhookType = (kind: ReversalResult["kind"]) =>
  kind === "dispute" ? "topup.disputed" : kind === "dispute_won" ? "topup.dispute_won" : "topup.refunded";

/** The webhook event's and live notice's data: amounts in minor units. */
export const eventData = (r: ReversalResult) => ({
  topupId: r.topupId,
  amount: r.amount,
  recovered: r.recovered,
  unrecovered: r.kind === "refund" || r.kind === "dispute" ? r.amount - r.recovered : 0,
  balance: r.posted?.balance ?? null,
  ledgerEntryId: r.posted?.entry.id ?? null,
});
