import Stripe from "stripe";
import { ProviderError } from "./errors";
import { checkoutMetadata, type ChargeResult, type ChargeSavedCardInput, type PaymentConfirmation, type PaymentProvider } from "./provider";
import { parseStripeWebhook, toCheckoutSession } from "./stripe-events";

export interface StripeProviderOptions {
  /** STRIPE_SECRET_KEY (`sk_test_...` / `sk_live_...`). */
  secretKey: string;
  /** STRIPE_API_BASE, e.g. http://localhost:12111 for stripe-mock; unset = api.stripe.com. */
  apiBase?: string;
  webhookSecret: string;
  /** STRIPE_PUBLISHABLE_KEY (`pk_...`), given to Stripe.js on the confirm page; unset = that page cannot confirm. */
  publishableKey?: string;
}

/** Per-request timeout to Stripe: 20 s (stripe-node's default is 80 s; a top-up click should not hang that long). */
const REQUEST_TIMEOUT_MS = 20_000;
/** Network retries by stripe-node (it reuses the idempotency key, so retries are safe): 2. */
const MAX_NETWORK_RETRIES = 2;

/**
 * Host, port and protocol for stripe-node from a base URL such as
 * `http://localhost:12111` (stripe-mock). Unset = stripe-node's defaults (https://api.stripe.com).
 */
export function stripeHostConfig(apiBase: string | undefined): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port || (protocol === "http" ? 80 : 443), protocol };
}

/**
 * The real provider over stripe-node. Checkout sessions are created in `payment` mode
 * with the card saved for later (`setup_future_usage: off_session`, shared/DESIGN.md
 * "Top-ups and payments") and the caller's idempotency key, so a retried create
 * returns the same session (Stripe keeps keys 24 h). Stripe's failures become
 * ProviderError (502 provider_unavailable).
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(options.secretKey, {
    ...stripeHostConfig(options.apiBase),
    timeout: REQUEST_TIMEOUT_MS,
    maxNetworkRetries: MAX_NETWORK_RETRIES,
    appInfo: { name: "live-balance" },
  });

  const retrieveSession = async (id: string) => {
    const session = await callStripe("retrieve a checkout session", () =>
      stripe.checkout.sessions.retrieve(id, { expand: ["payment_intent.payment_method"] }),
    );
    return toCheckoutSession(session, "stripe");
  };

  return {
    name: "stripe",

    async createCheckoutSession(input) {
      const metadata = checkoutMetadata(input);
      const session = await callStripe("create a checkout session", () =>
        stripe.checkout.sessions.create(
          {
            mode: "payment",
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: input.currency.toLowerCase(),
                  unit_amount: input.amount,
                  product_data: { name: "Balance top-up" },
                },
              },
            ],
            client_reference_id: input.topupId,
            locale: input.locale ?? "auto",
            customer_creation: "always",
            metadata,
            payment_intent_data: input.saveCard ? { metadata, setup_future_usage: "off_session" } : { metadata },
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return toCheckoutSession(session, "stripe");
    },

    async createSetupSession(input) {
      // Setup mode attaches the card to a customer we create first (idempotent on the same key).
      const customer = await callStripe("create a customer", () =>
        stripe.customers.create({ metadata: { accountId: input.accountId } }, { idempotencyKey: `${input.idempotencyKey}_customer` }),
      );
      const session = await callStripe("create a setup checkout session", () =>
        stripe.checkout.sessions.create(
          {
            mode: "setup",
            currency: input.currency.toLowerCase(),
            locale: input.locale ?? "auto",
            customer: customer.id,
            metadata: { accountId: input.accountId, purpose: "setup" },
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return toCheckoutSession(session, "stripe");
    },

    retrieveCheckoutSession: retrieveSession,

    async expireCheckoutSession(id) {
      // Stripe refuses to expire a session that is not open; then its current state is the answer.
      const session = await retrieveSession(id);
      if (session.status !== "open") return session;
      await callStripe("expire a checkout session", () => stripe.checkout.sessions.expire(id));
      return retrieveSession(id);
    },

    chargeSavedPaymentMethod: (input) => chargeOffSession(stripe, input),

    async getPaymentConfirmation(paymentIntentId) {
      const intent = await callStripe("retrieve a payment intent", () => stripe.paymentIntents.retrieve(paymentIntentId));
      return toPaymentConfirmation(intent, options.publishableKey ?? null);
    },

    async refund(input) {
      const refund = await callStripe("refund a payment", () =>
        stripe.refunds.create(
          { payment_intent: input.paymentIntentId, ...(input.amount ? { amount: input.amount } : {}) },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { id: refund.id, status: refund.status ?? "pending" };
    },

    parseWebhook: (rawBody, signatureHeader) => parseStripeWebhook(rawBody, signatureHeader, options.webhookSecret, "stripe"),
  };
}

/**
 * PaymentIntent create with `off_session: true, confirm: true` for the saved customer and
 * payment method (docs.stripe.com/payments/save-and-reuse, "Charge the saved payment
 * method later"). A decline arrives as StripeCardError: `authentication_required` becomes
 * requires_action, anything else failed (the intent id comes from the error).
 */
async function chargeOffSession(stripe: Stripe, input: ChargeSavedCardInput): Promise<ChargeResult> {
  try {
    const intent = await stripe.paymentIntents.create(
      {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        customer: input.customerId,
        payment_method: input.paymentMethodId,
        off_session: true,
        confirm: true,
        metadata: input.metadata,
      },
      { idempotencyKey: input.idempotencyKey },
    );
    const status = intent.status === "succeeded" ? "succeeded" : intent.status === "requires_action" ? "requires_action" : "failed";
    return {
      paymentIntentId: intent.id,
      status,
      amount: intent.amount,
      currency: intent.currency.toUpperCase(),
      failureMessage: status === "succeeded" ? null : `The payment is ${intent.status}.`,
    };
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeCardError)) return callStripe("charge a saved card", () => Promise.reject(err));
    const intent = (err.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent;
    return {
      paymentIntentId: intent?.id ?? `failed_${input.idempotencyKey}`,
      status: err.code === "authentication_required" ? "requires_action" : "failed",
      amount: input.amount,
      currency: input.currency,
      failureMessage: err.message,
    };
  }
}

/** Intent statuses in which the customer can still complete the payment on the confirm page. */
const CONFIRMABLE = new Set<string>(["requires_action", "requires_payment_method", "requires_confirmation"]);

/**
 * A retrieved PaymentIntent as the confirm page needs it. After an off-session
 * `authentication_required` decline the intent is `requires_payment_method` with the card in
 * `last_payment_error.payment_method`: Stripe.js confirms it again with that card, on
 * session (docs.stripe.com/payments/save-and-reuse, "Bring the customer back on-session").
 */
function toPaymentConfirmation(intent: Stripe.PaymentIntent, publishableKey: string | null): PaymentConfirmation {
  const status: PaymentConfirmation["status"] =
    intent.status === "succeeded" ? "succeeded"
      : intent.status === "processing" ? "processing"
        : CONFIRMABLE.has(intent.status) ? "requires_action" : "failed";
  const attached = typeof intent.payment_method === "string" ? intent.payment_method : (intent.payment_method?.id ?? null);
  const paymentMethodId = attached ?? intent.last_payment_error?.payment_method?.id ?? null;
  return {
    paymentIntentId: intent.id,
    status,
    amount: intent.amount,
    currency: intent.currency.toUpperCase(),
    next:
      status === "requires_action" && intent.client_secret
        ? { kind: "stripe_js", publishableKey, clientSecret: intent.client_secret, intentStatus: intent.status, paymentMethodId }
        : null,
  };
}

async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) {
      throw new ProviderError(`Stripe could not ${what}: ${err.message}`, err);
    }
    throw err;
  }
}
