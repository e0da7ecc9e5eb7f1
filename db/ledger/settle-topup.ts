import { issueReceipt } from "../documents/issue-receipt";
import { enqueueNotifications } from "../notifications/enqueue";
import { reactivateIfPaid } from "./account-status";
import { PaymentMismatchError, TopupNotFoundError } from "./errors";
import { notice } from "./notice";
import { savePaymentMethod, type SavedCard } from "./payment-methods";
import { postEntry, toBalanceEvent } from "./post-entry";
import type { LedgerContext, PostedEntry } from "./types";

export interface SettleTopupInput {
  topupId: string;
  /** The provider's id of the payment (Stripe PaymentIntent id): the entry's external ref. */
  providerPaymentId: string;
  /** What the provider says was paid, in minor units; must equal the top-up's amount. */
  amountPaid: number;
  currency: string;
  /** The card the payment saved for off-session use (checkout with setup_future_usage), if any. */
  savedCard?: SavedCard | null;
}

export interface SettleTopupResult {
  posted: PostedEntry | null;
  /** True when this call credited the account; false when it was already settled. */
  settledNow: boolean;
}

/**
 * Credits a paid top-up exactly once. The webhook and the checkout return path may
 * race: both call this, the top-up row lock (`SELECT ... FOR UPDATE`) orders them, the
 * second sees `succeeded` and does nothing; the unique external ref on the entry is the
 * second guard. In the same transaction it stores the card the payment saved (first card
 * = default), issues the receipt (db/documents/issue-receipt.ts: a rollback takes its
 * number back), lifts a `non_payment` suspension once available >= 0 and enqueues the
 * `topup.succeeded` webhook event (with `receiptId`, so the email can attach it).
 * Publishes the new balance (and `account.reactivated`)
 * after commit.
 * @throws TopupNotFoundError, PaymentMismatchError (amount or currency differ)
 */
export async function settleTopup(ctx: LedgerContext, input: SettleTopupInput): Promise<SettleTopupResult> {
  const result = await ctx.sql.begin(async (tx) => {
    const [topup] = await tx<
      {
        id: string;
        account_id: string;
        amount: number;
        currency: string;
        status: string;
        payment_method_id: string | null;
      }[]
    >`SELECT id, account_id, amount, currency, status, payment_method_id FROM topups WHERE id = ${input.topupId} FOR UPDATE`;
    if (!topup) throw new TopupNotFoundError(input.topupId);
    if (topup.status === "succeeded") return { posted: null, settledNow: false, reactivated: false };
    if (topup.amount !== input.amountPaid || topup.currency !== input.currency) {
      throw new PaymentMismatchError(
        `Top-up ${topup.id} is ${topup.amount} ${topup.currency}; the provider reports ${input.amountPaid} ${input.currency}.`,
      );
    }
    const posted = await postEntry(tx, {
      accountId: topup.account_id,
      amount: topup.amount,
      type: "topup",
      contra: "stripe_clearing",
      externalRef: input.providerPaymentId,
      description: "Top-up",
      metadata: { topupId: topup.id },
    });
    await tx`
      UPDATE topups
         SET status = 'succeeded', provider_payment_id = ${input.providerPaymentId}, action_url = NULL,
             ledger_entry_id = ${posted.entry.id}, settled_at = now(), updated_at = now()
       WHERE id = ${topup.id}`;
    if (input.savedCard) await savePaymentMethod(tx, topup.account_id, input.savedCard);
    const receipt = await issueReceipt(tx, ctx.issuer, {
      topupId: topup.id,
      accountId: topup.account_id,
      amount: topup.amount,
      currency: topup.currency,
      card: input.savedCard ? { brand: input.savedCard.brand, last4: input.savedCard.last4 } : null,
      paymentMethodId: topup.payment_method_id,
    });
    await enqueueNotifications(tx, {
      accountId: topup.account_id,
      type: "topup.succeeded",
      data: {
        topupId: topup.id,
        amount: topup.amount,
        currency: topup.currency,
        balance: posted.balance,
        ledgerEntryId: posted.entry.id,
        receiptId: receipt.id,
        receiptNumber: receipt.number,
      },
    });
    return { posted, settledNow: true, reactivated: await reactivateIfPaid(tx, topup.account_id) };
  });
  if (result.posted) ctx.events.publish(toBalanceEvent(result.posted));
  if (result.posted && result.reactivated) {
    ctx.events.notify(notice(result.posted.entry.accountId, "account", "account.reactivated", { reason: "paid" }));
  }
  return { posted: result.posted, settledNow: result.settledNow };
}
