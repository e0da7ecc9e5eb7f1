import { completeCharge } from "../../db/ledger/complete-charge";
import { findChargeableCard } from "../../db/ledger/payment-methods";
import { findTopup, type Topup } from "../../db/ledger/topup-record";
import type { AppDeps } from "../context";
import type { PaymentConfirmation } from "./provider";

/**
 * What the confirm page (/pay/confirm/:topupId) shows for one of the account's off-session
 * top-ups:
 * - `confirm`: the bank asks for authentication; `next` is how the browser completes it
 *   (Stripe.js with the intent's client secret and card, or the provider's page);
 * - `succeeded` / `failed` (with `reason`) / `processing`: where it stands;
 * - `not_found`: no such top-up of this account, or a checkout top-up (paid on checkout).
 */
export type ConfirmState =
  | { kind: "confirm"; topup: Topup; next: NonNullable<PaymentConfirmation["next"]> }
  | { kind: "succeeded" | "processing"; topup: Topup }
  | { kind: "failed"; topup: Topup; reason: string }
  | { kind: "not_found" };

/** Reason shown when the provider canceled the payment. */
const CANCELED = "The payment was canceled.";

/**
 * Reads the top-up `topupId` of `accountId` for the confirm page and, while it is pending,
 * its payment at the provider. A payment the provider reports succeeded (or canceled) is
 * applied at once through completeCharge, as the `payment_intent.*` webhook would (whichever
 * comes first applies it; the other changes nothing), so the customer who just confirmed
 * sees it settled and auto top-up resumes even before the webhook arrives. The card to
 * confirm with is the intent's, else the saved card that was charged.
 * @throws ProviderError (provider unreachable); PaymentMismatchError (amounts differ)
 */
export async function loadConfirmState(
  deps: Pick<AppDeps, "database" | "ledger" | "payments">,
  accountId: string,
  topupId: string,
): Promise<ConfirmState> {
  const { sql } = deps.database;
  const topup = await findTopup(sql, accountId, topupId);
  if (!topup || topup.kind === "checkout") return { kind: "not_found" };
  if (topup.status !== "pending") return finished(topup);
  if (!topup.providerPaymentId) return { kind: "processing", topup }; // the charge call is still under way
  const payment = await deps.payments.getPaymentConfirmation(topup.providerPaymentId);
  if (payment.status === "succeeded" || payment.status === "failed") {
    const attempt = { topupId: topup.id, accountId, kind: topup.kind };
    await completeCharge(deps.ledger, attempt, {
      paymentIntentId: payment.paymentIntentId,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      actionUrl: null,
      failureMessage: payment.status === "failed" ? CANCELED : null,
    });
    return finished((await findTopup(sql, accountId, topupId))!);
  }
  if (payment.status === "processing" || !payment.next) return { kind: "processing", topup };
  if (payment.next.kind === "stripe_js" && !payment.next.paymentMethodId) {
    const card = await findChargeableCard(sql, accountId, topup.paymentMethodId);
    return { kind: "confirm", topup, next: { ...payment.next, paymentMethodId: card?.provider_payment_method_id ?? null } };
  }
  return { kind: "confirm", topup, next: payment.next };
}

/** The state of a top-up that is no longer pending. */
function finished(topup: Topup): ConfirmState {
  return topup.status === "succeeded" ? { kind: "succeeded", topup } : { kind: "failed", topup, reason: topup.failureReason ?? CANCELED };
}
