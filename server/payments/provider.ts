/**
 * The payment provider boundary (shared/DESIGN.md, "Top-ups and payments"). Two
 * implementations: stripe.ts (stripe-node; tests run it against stripe-mock) and
 * simulated.ts (the default: a local checkout page behaving like Stripe test mode,
 * emitting Stripe-shaped events signed with the same webhook secret).
 * Amounts are minor units; currencies upper-case ISO 4217 (Stripe uses lower case
 * on the wire; implementations convert).
 */
export interface CheckoutSession {
  id: string;
  /** Where to send the customer's browser. */
  url: string | null;
  status: "open" | "complete" | "expired";
  paymentStatus: "paid" | "unpaid" | "no_payment_required";
  /** The payment's id once paid (Stripe PaymentIntent id). */
  paymentIntentId: string | null;
  amountTotal: number;
  currency: string;
  /** We put `topupId` and `accountId` here. */
  metadata: Record<string, string>;
}

export interface CreateCheckoutInput {
  topupId: string;
  accountId: string;
  amount: number;
  currency: string;
  successUrl: string;
  cancelUrl: string;
  /** Sent as the provider's idempotency key (Stripe keeps them 24 h): derived from our topup id. */
  idempotencyKey: string;
}

/** A verified webhook event, reduced to what settlement needs. */
export interface ProviderEvent {
  id: string;
  type: string;
  /** Present for checkout.session.* events. */
  checkoutSession?: CheckoutSession;
}

export interface PaymentProvider {
  readonly name: "stripe" | "simulated";
  /** @throws ProviderError when the provider refuses or cannot be reached. */
  createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession>;
  /** @throws ProviderError */
  retrieveCheckoutSession(id: string): Promise<CheckoutSession>;
  /**
   * Verifies the `Stripe-Signature` header over the raw body (HMAC-SHA256, timestamp
   * tolerance 300 s, Stripe's default) and parses the event.
   * @throws InvalidSignatureError
   */
  parseWebhook(rawBody: string, signatureHeader: string | undefined): ProviderEvent;
}
