import Stripe from "stripe";
import { ProviderError } from "./errors";
import type { PaymentProvider } from "./provider";
import { parseStripeWebhook, toCheckoutSession } from "./stripe-events";

export interface StripeProviderOptions {
  /** STRIPE_SECRET_KEY (`sk_test_...` / `sk_live_...`). */
  secretKey: string;
  /** STRIPE_API_BASE, e.g. http://localhost:12111 for stripe-mock; unset = api.stripe.com. */
  apiBase?: string;
  webhookSecret: string;
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

  return {
    name: "stripe",

    async createCheckoutSession(input) {
      const metadata = { topupId: input.topupId, accountId: input.accountId };
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
            customer_creation: "always",
            metadata,
            payment_intent_data: { metadata, setup_future_usage: "off_session" },
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return toCheckoutSession(session);
    },

    async retrieveCheckoutSession(id) {
      return toCheckoutSession(await callStripe("retrieve a checkout session", () => stripe.checkout.sessions.retrieve(id)));
    },

    parseWebhook: (rawBody, signatureHeader) => parseStripeWebhook(rawBody, signatureHeader, options.webhookSecret),
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
