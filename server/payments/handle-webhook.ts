import { failTopup } from "../../db/ledger/topup-transitions";
import { isPaymentEventRecorded, recordPaymentEvent } from "../../db/ledger/payment-events";
import { TopupNotFoundError } from "../../db/ledger/errors";
import type { AppDeps } from "../context";
import type { ProviderEvent } from "./provider";
import { reconcileTopup, type ReconcileOutcome } from "./reconcile-topup";

/** Checkout events that carry a session to reconcile (docs.stripe.com/checkout/fulfillment). */
const RECONCILED_EVENTS = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.expired",
]);
/** A delayed payment method (e.g. SEPA debit) failed after checkout completed. */
const ASYNC_PAYMENT_FAILED = "checkout.session.async_payment_failed";

export interface WebhookResult {
  eventId: string;
  /** True when this event id was processed before; nothing was done. */
  duplicate: boolean;
  /** What the event did; "ignored" for event types and sessions that are not ours. */
  outcome: ReconcileOutcome | "failed" | "ignored";
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
 * @throws InvalidSignatureError (400) before anything is read or changed;
 *   PaymentMismatchError (422, not recorded: retried and visible in Stripe's dashboard)
 */
export async function handleWebhook(
  deps: Pick<AppDeps, "database" | "ledger" | "payments" | "logger">,
  rawBody: string,
  signatureHeader: string | undefined,
): Promise<WebhookResult> {
  const event = deps.payments.parseWebhook(rawBody, signatureHeader);
  const { sql } = deps.database;
  if (await isPaymentEventRecorded(sql, event.id)) return { eventId: event.id, duplicate: true, outcome: "ignored" };
  const outcome = await applyEvent(deps, event);
  await recordPaymentEvent(sql, { id: event.id, provider: deps.payments.name, type: event.type });
  deps.logger.info({ eventId: event.id, type: event.type, outcome }, "payment webhook processed");
  return { eventId: event.id, duplicate: false, outcome };
}

async function applyEvent(
  deps: Pick<AppDeps, "database" | "ledger" | "logger">,
  event: ProviderEvent,
): Promise<WebhookResult["outcome"]> {
  const session = event.checkoutSession;
  const topupId = session?.metadata.topupId;
  if (!session || !topupId) return "ignored";
  if (event.type === ASYNC_PAYMENT_FAILED) {
    return (await failTopup(deps.database.sql, topupId, "The payment failed after checkout.")) ? "failed" : "ignored";
  }
  if (!RECONCILED_EVENTS.has(event.type)) return "ignored";
  try {
    return await reconcileTopup(deps.ledger, session);
  } catch (err) {
    if (!(err instanceof TopupNotFoundError)) throw err;
    deps.logger.warn({ eventId: event.id, topupId }, "webhook names an unknown top-up; ignored");
    return "ignored";
  }
}
