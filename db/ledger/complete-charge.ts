import { recordAutoTopupOutcome } from "../auto-topup/record-outcome";
import { settleTopup } from "./settle-topup";
import { failTopup } from "./topup-transitions";
import type { LedgerContext } from "./types";

/** What an off-session charge did, as the payment provider reports it. Amount in minor units. */
export interface ChargeOutcome {
  paymentIntentId: string;
  status: "succeeded" | "requires_action" | "failed";
  amount: number;
  currency: string;
  /** Where the customer confirms a charge that needs authentication (3-D Secure), if the provider gives one. */
  actionUrl: string | null;
  /** The provider's message for people when it failed or needs action. */
  failureMessage: string | null;
}

/** Provider message used when a declined charge came without one. */
const GENERIC_DECLINE = "The card was declined.";

/**
 * Applies the outcome of an off-session charge to its recorded attempt (a pending
 * `saved_card` or `auto` top-up): succeeded settles it through settleTopup (the same
 * verb as checkout, so it credits once); failed marks it failed; requires_action keeps
 * it pending with the confirm link. For `auto` top-ups it then updates the auto top-up
 * state and notifies the customer (db/auto-topup/record-outcome.ts), only when this call
 * changed the top-up: the same outcome arrives more than once (the charge call's answer
 * and Stripe's `payment_intent.*` event for it, a confirm page read after the webhook),
 * and is recorded and told once. Safe to repeat.
 * @returns true when this call changed the top-up
 * @throws PaymentMismatchError, TopupNotFoundError (from settleTopup)
 */
export async function completeCharge(
  ctx: LedgerContext,
  attempt: { topupId: string; accountId: string; kind: "checkout" | "saved_card" | "auto" },
  outcome: ChargeOutcome,
): Promise<boolean> {
  let changed: boolean;
  if (outcome.status === "succeeded") {
    const settled = await settleTopup(ctx, {
      topupId: attempt.topupId,
      providerPaymentId: outcome.paymentIntentId,
      amountPaid: outcome.amount,
      currency: outcome.currency,
    });
    changed = settled.settledNow;
  } else if (outcome.status === "failed") {
    changed = await failTopup(ctx.sql, attempt.topupId, outcome.failureMessage ?? GENERIC_DECLINE);
  } else {
    const rows = await ctx.sql`
      UPDATE topups SET action_url = ${outcome.actionUrl}, provider_payment_id = ${outcome.paymentIntentId}, updated_at = now()
       WHERE id = ${attempt.topupId} AND status = 'pending' AND action_url IS DISTINCT FROM ${outcome.actionUrl}
      RETURNING id`;
    changed = rows.length > 0;
  }
  if (changed && attempt.kind === "auto") await recordAutoTopupOutcome(ctx, attempt, outcome);
  return changed;
}
