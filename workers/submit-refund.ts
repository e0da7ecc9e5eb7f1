import { completeRefund, failRefund, getRefund } from "../db/ledger/refunds";
import type { LedgerContext } from "../db/ledger/types";
import type { PaymentProvider } from "../server/payments/provider";

/** Thrown so that graphile-worker asks the provider again later (same idempotency key). */
export class RefundAttemptFailed extends Error {}

/**
 * The submit_refund task: asks the provider to refund a pending refund (requestRefund)
 * to the payment that made its top-up, with the idempotency key `refund_<id>` (every
 * attempt is the same refund at the provider). Success: completeRefund. A failure fails
 * the job so graphile-worker retries it, until the last attempt: then failRefund credits
 * the amount back. A refund no longer pending is left alone.
 * @throws RefundAttemptFailed on a failed attempt that is not the last
 */
export async function submitRefund(
  deps: { ledger: LedgerContext; payments: PaymentProvider },
  refundId: string,
  attempt: { attempt: number; maxAttempts: number },
): Promise<"succeeded" | "failed" | "gone"> {
  const pending = await getRefund(deps.ledger.sql, refundId);
  if (pending?.refund.status !== "pending") return "gone";
  try {
    const refunded = await deps.payments.refund({
      paymentIntentId: pending.providerPaymentId,
      amount: pending.refund.amount,
      idempotencyKey: `refund_${refundId}`,
    });
    await completeRefund(deps.ledger, refundId, refunded.id);
    return "succeeded";
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (attempt.attempt < attempt.maxAttempts) throw new RefundAttemptFailed(`refund ${refundId}: ${reason}`);
    await failRefund(deps.ledger, refundId, reason);
    return "failed";
  }
}
