import { settleTopup } from "../../db/ledger/settle-topup";
import { expireTopup } from "../../db/ledger/topup-transitions";
import type { LedgerContext } from "../../db/ledger/types";
import type { CheckoutSession } from "./provider";

/** What reconciling did: credited now, found already credited, expired, or nothing to do. */
export type ReconcileOutcome = "settled" | "already_settled" | "expired" | "unchanged";

/**
 * Brings a top-up in line with its checkout session, whoever reports it: the webhook
 * (`checkout.session.completed`, `async_payment_succeeded`, `expired`) or the checkout
 * return path (GET /topups/:id). A paid session settles the top-up named in its
 * metadata (`topupId`) through settleTopup, with the payment intent id as the entry's
 * external ref, so both paths racing credit once (settle-topup.ts), and stores the card
 * it saved (session.savedCard); an expired one
 * marks a pending top-up `expired`. Sessions without `topupId` are not ours: unchanged.
 * @throws PaymentMismatchError when the paid amount or currency differ from the top-up;
 *   TopupNotFoundError when `topupId` names no top-up
 */
export async function reconcileTopup(ledger: LedgerContext, session: CheckoutSession): Promise<ReconcileOutcome> {
  const topupId = session.metadata.topupId;
  if (!topupId) return "unchanged";
  if (session.paymentStatus === "paid") {
    const result = await settleTopup(ledger, {
      topupId,
      providerPaymentId: session.paymentIntentId ?? session.id,
      amountPaid: session.amountTotal,
      currency: session.currency,
      savedCard: session.savedCard,
    });
    return result.settledNow ? "settled" : "already_settled";
  }
  if (session.status === "expired") return (await expireTopup(ledger.sql, topupId)) ? "expired" : "unchanged";
  return "unchanged";
}
