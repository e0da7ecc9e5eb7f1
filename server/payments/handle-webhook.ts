import { completeCharge } from "../../db/ledger/complete-charge";
import { saveCardForAccount } from "../../db/ledger/payment-methods";
import { applyDisputeOpened, applyDisputeWon, applyRefundedTotal } from "../../db/ledger/reverse-payment";
import { failTopup } from "../../db/ledger/topup-transitions";
import { isPaymentEventRecorded, recordPaymentEvent } from "../../db/ledger/payment-events";
import { TopupNotFoundError } from "../../db/ledger/errors";
import type { AppDeps } from "../context";
import { confirmPageUrl } from "./confirm-url";
import { MalformedEventError } from "./errors";
import type { CheckoutSession, ProviderEvent } from "./provider";
import { reconcileTopup, type ReconcileOutcome } from "./reconcile-topup";

/** Checkout events that carry a session to reconcile (docs.stripe.com/checkout/fulfillment). */
const RECONCILED_EVENTS = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.expired",
]);
/** A delayed payment method (e.g. SEPA debit) failed after checkout completed. */
const ASYNC_PAYMENT_FAILED = "checkout.session.async_payment_failed";

/**
 * Off-session charges that need the customer, or were confirmed or failed later (after 3-D
 * Secure): what each event means. A `payment_failed` whose error is `authentication_required`
 * is Stripe telling of the off-session decline that asks for authentication: the customer
 * must confirm it, it did not fail (docs.stripe.com/payments/save-and-reuse).
 */
const PAYMENT_INTENT_OUTCOMES: Record<string, "succeeded" | "failed" | "requires_action"> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "failed",
  "payment_intent.requires_action": "requires_action",
};
const AUTHENTICATION_REQUIRED = "authentication_required";

export interface WebhookResult {
  eventId: string;
  /** True when this event id was processed before; nothing was done. */
  duplicate: boolean;
  /** What the event did; "ignored" for event types and sessions that are not ours. */
  outcome: ReconcileOutcome | "failed" | "requires_action" | "card_saved" | "reversed" | "ignored";
}

/**
 * POST /webhooks/stripe: verifies the signature over the RAW body (provider.parseWebhook,
 * tolerance 300 s), skips event ids already recorded in payment_events, applies the
 * event, then records its id. Recording after applying means a failed application is
 * retried by the provider (Stripe retries non-2xx for up to 3 days), while a duplicate
 * that slips past the check in a race is harmless: settlement is keyed on the top-up
 * and its payment id (settle-topup.ts), and the other transitions only touch pending
 * top-ups. Events for top-ups we do not know (another deployment sharing the Stripe
 * account) are recorded and ignored, so they are not retried for days.
 * @throws InvalidSignatureError (400) before anything is read or changed; MalformedEventError
 *   (400 validation_error, logged) for a signed event without the fields we read, changing nothing;
 *   PaymentMismatchError (422, not recorded: retried and visible in Stripe's dashboard)
 */
export async function handleWebhook(
  deps: Pick<AppDeps, "database" | "ledger" | "payments" | "logger" | "publicUrl">,
  rawBody: string,
  signatureHeader: string | undefined,
): Promise<WebhookResult> {
  const event = parseLogged(deps, rawBody, signatureHeader);
  const { sql } = deps.database;
  if (await isPaymentEventRecorded(sql, event.id)) return { eventId: event.id, duplicate: true, outcome: "ignored" };
  const outcome = await applyEvent(deps, event);
  await recordPaymentEvent(sql, { id: event.id, provider: deps.payments.name, type: event.type });
  deps.logger.info({ eventId: event.id, type: event.type, outcome }, "payment webhook processed");
  return { eventId: event.id, duplicate: false, outcome };
}

/** provider.parseWebhook, logging a malformed (but signed) event before it is refused. */
function parseLogged(deps: Pick<AppDeps, "payments" | "logger">, rawBody: string, signatureHeader: string | undefined) {
  try {
    return deps.payments.parseWebhook(rawBody, signatureHeader);
  } catch (err) {
    if (err instanceof MalformedEventError) {
      deps.logger.warn({ eventId: err.eventId, type: err.type, reason: err.reason }, "malformed payment webhook refused");
    }
    throw err;
  }
}

async function applyEvent(
  deps: Pick<AppDeps, "database" | "ledger" | "payments" | "logger" | "publicUrl">,
  event: ProviderEvent,
): Promise<WebhookResult["outcome"]> {
  const intentOutcome = PAYMENT_INTENT_OUTCOMES[event.type];
  if (event.paymentIntent && intentOutcome) {
    const needsCustomer = intentOutcome === "failed" && event.paymentIntent.lastPaymentErrorCode === AUTHENTICATION_REQUIRED;
    return applyPaymentIntent(deps, event.paymentIntent, needsCustomer ? "requires_action" : intentOutcome);
  }
  if (event.charge || event.dispute) return applyReversal(deps, event);
  const session = event.checkoutSession;
  if (session?.mode === "setup") return applySetupSession(deps, event.type, await withSavedCard(deps, session));
  const topupId = session?.metadata.topupId;
  if (!session || !topupId) return "ignored";
  if (event.type === ASYNC_PAYMENT_FAILED) {
    return (await failTopup(deps.database.sql, topupId, "The payment failed after checkout.")) ? "failed" : "ignored";
  }
  if (!RECONCILED_EVENTS.has(event.type)) return "ignored";
  try {
    return await reconcileTopup(deps.ledger, await withSavedCard(deps, session));
  } catch (err) {
    if (!(err instanceof TopupNotFoundError)) throw err;
    deps.logger.warn({ eventId: event.id, topupId }, "webhook names an unknown top-up; ignored");
    return "ignored";
  }
}

/**
 * A payment intent of one of our off-session attempts (metadata.topupId) that finished, or
 * asked for authentication, after the charge call returned (e.g. confirmed by the customer
 * on the confirm page): applied through completeCharge like the immediate outcome, so an
 * outcome both paths report is applied and told once. Intents of checkout sessions settle
 * through the session events.
 */
async function applyPaymentIntent(
  deps: Pick<AppDeps, "database" | "ledger" | "publicUrl">,
  intent: NonNullable<ProviderEvent["paymentIntent"]>,
  status: "succeeded" | "failed" | "requires_action",
): Promise<WebhookResult["outcome"]> {
  const topupId = intent.metadata.topupId;
  if (!topupId) return "ignored";
  const [topup] = await deps.database.sql<{ account_id: string; kind: "checkout" | "saved_card" | "auto" }[]>`
    SELECT account_id, kind FROM topups WHERE id = ${topupId} AND kind <> 'checkout'`;
  if (!topup) return "ignored";
  const changed = await completeCharge(
    deps.ledger,
    { topupId, accountId: topup.account_id, kind: topup.kind },
    {
      paymentIntentId: intent.id,
      status,
      amount: intent.amount,
      currency: intent.currency,
      actionUrl: status === "requires_action" ? confirmPageUrl(deps.publicUrl, topupId) : null,
      failureMessage: status === "failed" ? PAYMENT_NOT_CONFIRMED_MESSAGE : status === "requires_action" ? AUTHENTICATION_MESSAGE : null,
    },
  );
  if (!changed) return "ignored";
  return status === "succeeded" ? "settled" : status === "failed" ? "failed" : "requires_action";
}

/** Why a payment waits for the customer, for people (Stripe's wording for `authentication_required`). */
const AUTHENTICATION_MESSAGE = "This payment requires authentication.";
/** The failure reason of a payment whose authentication was not completed (shown translated: routes/checkout/texts.ts). */
export const PAYMENT_NOT_CONFIRMED_MESSAGE = "The payment was not confirmed.";

/**
 * Money taken back from (or returned to) a settled top-up's payment, applied through
 * db/ledger/reverse-payment.ts: `charge.refunded` (refunds made in Stripe's dashboard or
 * API; cumulative amount_refunded), `charge.dispute.created` (funds withdrawn) and
 * `charge.dispute.closed` with status `won` (funds reinstated). A lost dispute changes
 * nothing more: its funds were taken when it opened. Payments that are not our top-ups
 * are ignored.
 */
async function applyReversal(deps: Pick<AppDeps, "ledger">, event: ProviderEvent): Promise<WebhookResult["outcome"]> {
  const { charge, dispute } = event;
  let result = null;
  if (event.type === "charge.refunded" && charge?.paymentIntentId) {
    result = await applyRefundedTotal(deps.ledger, {
      providerPaymentId: charge.paymentIntentId,
      chargeId: charge.id,
      amountRefunded: charge.amountRefunded,
      currency: charge.currency,
    });
  } else if (event.type === "charge.dispute.created" && dispute?.paymentIntentId) {
    result = await applyDisputeOpened(deps.ledger, {
      ...dispute,
      providerPaymentId: dispute.paymentIntentId,
      disputeId: dispute.id,
    });
  } else if (event.type === "charge.dispute.closed" && dispute?.paymentIntentId && dispute.status === "won") {
    result = await applyDisputeWon(deps.ledger, {
      ...dispute,
      providerPaymentId: dispute.paymentIntentId,
      disputeId: dispute.id,
    });
  }
  return result ? "reversed" : "ignored";
}

/** A completed setup-mode checkout (POST /payment-methods) saved a card: store it for the account in its metadata. */
async function applySetupSession(
  deps: Pick<AppDeps, "database">,
  type: string,
  session: CheckoutSession,
): Promise<WebhookResult["outcome"]> {
  const accountId = session.metadata.accountId;
  if (type !== "checkout.session.completed" || !accountId || !session.savedCard) return "ignored";
  return (await saveCardForAccount(deps.database.sql, accountId, session.savedCard)) ? "card_saved" : "ignored";
}

/**
 * Stripe's webhook events carry the session with its intent unexpanded, so the saved card
 * is missing: a completed session is re-read with the intent and card expanded
 * (retrieveCheckoutSession). The simulated provider's events are already expanded.
 * @throws ProviderError (the webhook answers 5xx and Stripe retries)
 */
async function withSavedCard(deps: Pick<AppDeps, "payments">, session: CheckoutSession): Promise<CheckoutSession> {
  if (deps.payments.name !== "stripe" || session.savedCard || session.status !== "complete") return session;
  return deps.payments.retrieveCheckoutSession(session.id);
}
