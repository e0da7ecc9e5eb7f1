import type { ChargeOutcome } from "../../db/ledger/complete-charge";
import type { SavedCard } from "../../db/ledger/payment-methods";

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
  /** payment: a top-up; setup: saves a card without paying (POST /payment-methods). */
  mode: "payment" | "setup";
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
  /** The card the payment saved for off-session use, when the provider reports it (expanded payment intent). */
  savedCard: SavedCard | null;
}

/** An off-session charge of a saved card (one-click and auto top-ups). Amount in minor units. */
export interface ChargeSavedCardInput {
  amount: number;
  currency: string;
  /** Provider customer id (`cus_...`). */
  customerId: string;
  /** Provider payment method id (`pm_...`). */
  paymentMethodId: string;
  /** `topup_<our attempt id>`, saved before the call: a retry returns the first charge's outcome. */
  idempotencyKey: string;
  /** We put `topupId` and `accountId` here. */
  metadata: Record<string, string>;
}

/**
 * What an off-session charge did (db/ledger/complete-charge.ts applies it). The confirm link
 * of a charge that needs authentication is ours, not the provider's (confirm-url.ts).
 */
export type ChargeResult = Omit<ChargeOutcome, "actionUrl">;

/**
 * Where an off-session payment that asked for authentication stands, and what the
 * customer's browser needs to complete it on our confirm page (server/routes/pay/):
 * - `stripe_js`: Stripe.js completes it in the page (`stripe.confirmCardPayment` with the
 *   card when the intent is `requires_payment_method` / `requires_confirmation`,
 *   `stripe.handleNextAction` when it is `requires_action`);
 * - `redirect`: the provider's own authentication page (the simulated provider), which
 *   sends the customer back to our confirm page.
 * `status`: `requires_action` = the customer must act; `processing` = wait;
 * `succeeded` = paid (amount in minor units, currency upper-case); `failed` = canceled.
 */
export interface PaymentConfirmation {
  paymentIntentId: string;
  status: "requires_action" | "processing" | "succeeded" | "failed";
  amount: number;
  currency: string;
  next:
    | { kind: "stripe_js"; publishableKey: string | null; clientSecret: string; intentStatus: string; paymentMethodId: string | null }
    | { kind: "redirect"; url: string }
    | null;
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
  /**
   * Save the card for later off-session charges. False: session metadata `saveCard: "false"`
   * (checkoutMetadata), so settlement stores no card; Stripe gets no `setup_future_usage`.
   */
  saveCard: boolean;
  /** The checkout page's language (Stripe Checkout `locale`); default en. */
  locale?: CheckoutLocale;
}

/** Languages the checkout pages are shown in (the portal's). */
export type CheckoutLocale = "en" | "de";

/** The metadata of a payment-mode checkout session (the same for Stripe and the simulator). */
export function checkoutMetadata(input: CreateCheckoutInput): Record<string, string> {
  const metadata: Record<string, string> = { topupId: input.topupId, accountId: input.accountId };
  if (!input.saveCard) metadata.saveCard = "false";
  return metadata;
}

/** A setup-mode checkout: the customer saves a card for `accountId` without paying. */
export interface CreateSetupSessionInput {
  accountId: string;
  /** The account's currency (upper-case ISO 4217). */
  currency: string;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
  /** The checkout page's language (Stripe Checkout `locale`); default en. */
  locale?: CheckoutLocale;
}

/** A verified webhook event, reduced to what settlement needs. */
export interface ProviderEvent {
  id: string;
  type: string;
  /** Present for checkout.session.* events. */
  checkoutSession?: CheckoutSession;
  /** Present for payment_intent.* events (a confirmed off-session charge). */
  paymentIntent?: {
    id: string;
    status: string;
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    /** `last_payment_error.code`, e.g. `authentication_required` (the customer must confirm, not a failure). */
    lastPaymentErrorCode: string | null;
  };
  /** Present for charge.* events (`charge.refunded`): `amountRefunded` is cumulative, minor units. */
  charge?: { id: string; paymentIntentId: string | null; amountRefunded: number; currency: string };
  /** Present for charge.dispute.* events: the disputed amount (minor units) and Stripe's dispute status. */
  dispute?: { id: string; paymentIntentId: string | null; amount: number; currency: string; status: string };
}

export interface PaymentProvider {
  readonly name: "stripe" | "simulated";
  /** @throws ProviderError when the provider refuses or cannot be reached. */
  createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession>;
  /**
   * Opens a setup-mode checkout (metadata `accountId`, `purpose: "setup"`); completing it
   * sends `checkout.session.completed` with the saved card.
   * @throws ProviderError
   */
  createSetupSession(input: CreateSetupSessionInput): Promise<CheckoutSession>;
  /** @throws ProviderError */
  retrieveCheckoutSession(id: string): Promise<CheckoutSession>;
  /**
   * Expires an open checkout session so it can no longer be paid (the customer cancelled
   * it); the provider then reports `checkout.session.expired`. A session that is no
   * longer open is returned as it is.
   * @throws ProviderError
   */
  expireCheckoutSession(id: string): Promise<CheckoutSession>;
  /**
   * Charges a saved card off-session, idempotent on `idempotencyKey` (the same key always
   * returns the first outcome; Stripe keeps keys 24 h). A decline or a required
   * authentication is a result, not an error.
   * @throws ProviderError when the provider cannot be reached or refuses the request itself
   */
  chargeSavedPaymentMethod(input: ChargeSavedCardInput): Promise<ChargeResult>;
  /**
   * Reads a payment intent of an off-session charge for the confirm page: its status and
   * what the browser needs to authenticate it (see PaymentConfirmation).
   * @throws ProviderError when the provider cannot be reached or does not know the intent
   */
  getPaymentConfirmation(paymentIntentId: string): Promise<PaymentConfirmation>;
  /**
   * Refunds a payment (all of it, or `amount` minor units), idempotent on `idempotencyKey`.
   * @throws ProviderError
   */
  refund(input: { paymentIntentId: string; amount?: number; idempotencyKey: string }): Promise<{ id: string; status: string }>;
  /**
   * Verifies the `Stripe-Signature` header over the raw body (HMAC-SHA256, timestamp
   * tolerance 300 s, Stripe's default, either way) and parses the event.
   * @throws InvalidSignatureError; MalformedEventError for a signed event without the fields we read
   */
  parseWebhook(rawBody: string, signatureHeader: string | undefined): ProviderEvent;
}
