import { completeCharge, type ChargeOutcome } from "../../db/ledger/complete-charge";
import type { PaymentMethodRow } from "../../db/ledger/payment-methods";
import type { LedgerContext } from "../../db/ledger/types";
import { confirmPageUrl } from "./confirm-url";
import type { PaymentProvider } from "./provider";

/** A recorded, pending top-up to charge: amount in minor units of `currency`. */
export interface RecordedAttempt {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  kind: "saved_card" | "auto";
}

/**
 * Charges a recorded attempt off-session on `card` and applies the outcome
 * (completeCharge: settleTopup on success, failed, or pending with the link to our confirm
 * page, confirmPageUrl, when the bank asks for authentication). The
 * provider idempotency key is `topup_<attempt id>`, recorded before this call, so a
 * repeated call (retry, resumed crash) gets the first charge's outcome instead of a
 * second charge (Stripe keeps idempotency keys 24 h; the simulated provider forever).
 * @throws ProviderError when the provider cannot be reached; errors of completeCharge
 */
export async function chargeAttempt(
  deps: { ledger: LedgerContext; payments: PaymentProvider; publicUrl: string },
  attempt: RecordedAttempt,
  card: PaymentMethodRow,
): Promise<ChargeOutcome> {
  const outcome = await deps.payments.chargeSavedPaymentMethod({
    amount: attempt.amount,
    currency: attempt.currency,
    customerId: card.provider_customer_id,
    paymentMethodId: card.provider_payment_method_id,
    idempotencyKey: `topup_${attempt.id}`,
    metadata: { topupId: attempt.id, accountId: attempt.accountId, kind: attempt.kind },
  });
  const actionUrl = outcome.status === "requires_action" ? confirmPageUrl(deps.publicUrl, attempt.id) : null;
  const applied = { ...outcome, actionUrl };
  await completeCharge(deps.ledger, { topupId: attempt.id, accountId: attempt.accountId, kind: attempt.kind }, applied);
  return applied;
}
