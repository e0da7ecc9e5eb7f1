import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import type { Env } from "../env";
import { InvalidSignatureError } from "./errors";
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
  "id" | "url" | "status" | "payment_status" | "payment_intent" | "amount_total" | "currency" | "metadata"
>;

/** Maps a Stripe `checkout.session` object to our CheckoutSession (currency upper-case, minor units). */
export function toCheckoutSession(s: StripeCheckoutSessionFields): CheckoutSession {
  return {
    id: s.id,
    url: s.url ?? null,
    status: oneOf(s.status, ["open", "complete", "expired"], "open"),
    paymentStatus: oneOf(s.payment_status, ["paid", "unpaid", "no_payment_required"], "unpaid"),
    paymentIntentId: typeof s.payment_intent === "string" ? s.payment_intent : (s.payment_intent?.id ?? null),
    amountTotal: s.amount_total ?? 0,
    currency: (s.currency ?? "").toUpperCase(),
    metadata: s.metadata ?? {},
  };
}

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
 * tolerance WEBHOOK_TOLERANCE_S) and reduces the event to a ProviderEvent.
 * @throws InvalidSignatureError when the header is missing, malformed, does not match,
 *   or is too old; nothing has been read from the body at that point.
 */
export function parseStripeWebhook(rawBody: string, signatureHeader: string | undefined, secret: string): ProviderEvent {
  if (!signatureHeader) throw new InvalidSignatureError("no Stripe-Signature header.");
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, WEBHOOK_TOLERANCE_S);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new InvalidSignatureError(err.message);
    if (err instanceof SyntaxError) throw new InvalidSignatureError("the signed body is not JSON.");
    throw err;
  }
  const object = event.data.object as { object?: string };
  return {
    id: event.id,
    type: event.type,
    checkoutSession:
      object.object === "checkout.session" ? toCheckoutSession(object as StripeCheckoutSessionFields) : undefined,
  };
}
