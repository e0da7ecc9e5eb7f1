import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import type { Env } from "../env";
import { InvalidSignatureError, MalformedEventError } from "./errors";
import { findMalformation } from "./stripe-event-shape";
import type { SavedCard } from "../../db/ledger/payment-methods";
import type { CheckoutSession, ProviderEvent } from "./provider";

/**
 * Stripe's webhook wire format, shared by both providers: the stripe provider verifies
 * what Stripe sends, the simulated one signs what it emits, with the same code.
 */

/** Largest accepted age (and clock skew) of a webhook's signed timestamp: 300 s, Stripe's default tolerance. */
export const WEBHOOK_TOLERANCE_S = 300;

let processWebhookSecret: string | null = null;

/**
 * The webhook signing secret: STRIPE_WEBHOOK_SECRET, or else a random `whsec_...`
 * made once per process (the simulated provider signs and verifies in the same
 * process, so a per-process secret is enough there).
 */
export function resolveWebhookSecret(env: Pick<Env, "STRIPE_WEBHOOK_SECRET">): string {
  if (env.STRIPE_WEBHOOK_SECRET) return env.STRIPE_WEBHOOK_SECRET;
  processWebhookSecret ??= `whsec_${randomBytes(24).toString("base64url")}`;
  return processWebhookSecret;
}

/** The fields of a Stripe `checkout.session` object that we read. */
export type StripeCheckoutSessionFields = Pick<
  Stripe.Checkout.Session,
  | "id"
  | "url"
  | "status"
  | "payment_status"
  | "payment_intent"
  | "amount_total"
  | "currency"
  | "metadata"
  | "customer"
  | "mode"
  | "setup_intent"
>;

/** Maps a Stripe `checkout.session` object to our CheckoutSession (currency upper-case, minor units). */
export function toCheckoutSession(s: StripeCheckoutSessionFields, provider: "stripe" | "simulated"): CheckoutSession {
  return {
    id: s.id,
    mode: s.mode === "setup" ? "setup" : "payment",
    url: s.url ?? null,
    status: oneOf(s.status, ["open", "complete", "expired"], "open"),
    paymentStatus: oneOf(s.payment_status, ["paid", "unpaid", "no_payment_required"], "unpaid"),
    paymentIntentId: idOf(s.payment_intent),
    amountTotal: s.amount_total ?? 0,
    currency: (s.currency ?? "").toUpperCase(),
    metadata: s.metadata ?? {},
    savedCard: savedCardOf(s, provider),
  };
}

/**
 * The card a completed session saved, read from its expanded payment intent (payment
 * mode) or setup intent (setup mode), e.g. `expand: ["payment_intent.payment_method"]`;
 * the simulated provider always sends them expanded. Null when not expanded or not a card,
 * or when the customer chose not to save it (metadata `saveCard: "false"`).
 */
function savedCardOf(s: StripeCheckoutSessionFields, provider: string): SavedCard | null {
  const expanded = s.mode === "setup" ? s.setup_intent : s.payment_intent;
  const intent = expanded && typeof expanded === "object" ? expanded : null;
  const method = intent && typeof intent.payment_method === "object" ? intent.payment_method : null;
  const customer = typeof s.customer === "string" ? s.customer : (s.customer?.id ?? null);
  if (!method?.card || !customer) return null;
  if (s.mode === "payment" && s.metadata?.saveCard === "false") return null; // paid without saving (POST /topups saveCard: false)
  return {
    provider,
    providerPaymentMethodId: method.id,
    providerCustomerId: customer,
    brand: method.card.brand,
    last4: method.card.last4,
    expMonth: method.card.exp_month,
    expYear: method.card.exp_year,
  };
}

/** The fields of a Stripe `payment_intent` object that we read. */
export type StripePaymentIntentFields = Pick<
  Stripe.PaymentIntent,
  "id" | "status" | "amount" | "currency" | "metadata" | "last_payment_error"
>;

/** Maps a Stripe `payment_intent` to ProviderEvent.paymentIntent (currency upper-case). */
export function toPaymentIntent(p: StripePaymentIntentFields): NonNullable<ProviderEvent["paymentIntent"]> {
  return {
    id: p.id,
    status: p.status,
    amount: p.amount,
    currency: p.currency.toUpperCase(),
    metadata: p.metadata ?? {},
    lastPaymentErrorCode: p.last_payment_error?.code ?? null,
  };
}

/** The fields of a Stripe `charge` object that we read. */
export type StripeChargeFields = Pick<Stripe.Charge, "id" | "payment_intent" | "amount_refunded" | "currency">;

/** Maps a Stripe `charge` to ProviderEvent.charge (currency upper-case). */
export function toCharge(c: StripeChargeFields): NonNullable<ProviderEvent["charge"]> {
  return {
    id: c.id,
    paymentIntentId: idOf(c.payment_intent),
    amountRefunded: c.amount_refunded,
    currency: c.currency.toUpperCase(),
  };
}

/** The fields of a Stripe `dispute` object that we read. */
export type StripeDisputeFields = Pick<Stripe.Dispute, "id" | "payment_intent" | "amount" | "currency" | "status">;

/** Maps a Stripe `dispute` to ProviderEvent.dispute (currency upper-case). */
export function toDispute(d: StripeDisputeFields): NonNullable<ProviderEvent["dispute"]> {
  return {
    id: d.id,
    paymentIntentId: idOf(d.payment_intent),
    amount: d.amount,
    currency: d.currency.toUpperCase(),
    status: d.status,
  };
}

/** The id of an expandable Stripe field (an id, an expanded object, or null). */
const idOf = (field: string | { id: string } | null): string | null =>
  typeof field === "string" ? field : (field?.id ?? null);

/** `value` when it is one of `allowed` (Stripe enums are open-ended strings), else `fallback`. */
function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/**
 * Computes a `Stripe-Signature` header (`t=<unix s>,v1=<HMAC-SHA256 hex>`) for `payload`
 * exactly as Stripe does, through stripe-node. `timestampS` defaults to now.
 */
export function signWebhookPayload(payload: string, secret: string, timestampS?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampS });
}

/**
 * Verifies a webhook over its RAW body with stripe-node's `constructEvent` (HMAC-SHA256,
 * tolerance WEBHOOK_TOLERANCE_S), refuses a signed timestamp more than the tolerance in
 * the future as well (stripe-node only checks the age, so a replayable event could be
 * signed ahead of time), checks the fields we read (stripe-event-shape.ts) and reduces
 * the event to a ProviderEvent.
 * @throws InvalidSignatureError when the header is missing, malformed, does not match,
 *   or is too old or too far ahead; nothing has been read from the body at that point.
 * @throws MalformedEventError when the signed event lacks a field we read or has one of
 *   the wrong type (`data.object: null`, `amount_refunded: "lots"`)
 */
export function parseStripeWebhook(
  rawBody: string,
  signatureHeader: string | undefined,
  secret: string,
  provider: "stripe" | "simulated",
): ProviderEvent {
  if (!signatureHeader) throw new InvalidSignatureError("no Stripe-Signature header.");
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, WEBHOOK_TOLERANCE_S);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new InvalidSignatureError(err.message);
    if (err instanceof SyntaxError) throw new InvalidSignatureError("the signed body is not JSON.");
    throw err;
  }
  const signedAtS = Number(/(?:^|,)t=(\d+)/.exec(signatureHeader)?.[1]);
  if (signedAtS - Date.now() / 1000 > WEBHOOK_TOLERANCE_S) {
    throw new InvalidSignatureError(`the timestamp is more than ${WEBHOOK_TOLERANCE_S} s in the future.`);
  }
  const malformation = findMalformation(event);
  if (malformation) throw new MalformedEventError(event.id, event.type, malformation);
  const object = event.data.object as { object?: string };
  return {
    id: event.id,
    type: event.type,
    checkoutSession:
      object.object === "checkout.session"
        ? toCheckoutSession(object as StripeCheckoutSessionFields, provider)
        : undefined,
    paymentIntent:
      object.object === "payment_intent" ? toPaymentIntent(object as StripePaymentIntentFields) : undefined,
    charge: object.object === "charge" ? toCharge(object as StripeChargeFields) : undefined,
    dispute: object.object === "dispute" ? toDispute(object as StripeDisputeFields) : undefined,
  };
}
