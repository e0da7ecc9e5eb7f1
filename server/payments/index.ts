import type { Database } from "../../db/client";
import type { Env } from "../env";
import type { Logger } from "../logger";
import type { PaymentProvider } from "./provider";
import { createSimulatedProvider } from "./simulated";
import { createStripeProvider } from "./stripe";
import { resolveWebhookSecret } from "./stripe-events";

/** Posts a signed, Stripe-shaped event (raw JSON body, Stripe-Signature header) to our webhook route. */
export type WebhookDelivery = (rawBody: string, signatureHeader: string) => Promise<void>;

export interface PaymentProviderOptions {
  env: Env;
  publicUrl: string;
  database: Database;
  logger: Logger;
  deliverWebhook: WebhookDelivery;
}

/**
 * The payment provider the environment asks for (shared/DESIGN.md, "Processes and the
 * embedded default"): stripe-node when STRIPE_SECRET_KEY is set (STRIPE_API_BASE points
 * it at stripe-mock), else the simulated provider. Both verify webhooks with
 * STRIPE_WEBHOOK_SECRET, or a random per-process secret when it is unset.
 */
export function createPaymentProvider(options: PaymentProviderOptions): PaymentProvider {
  const { env, logger } = options;
  const webhookSecret = resolveWebhookSecret(env);
  if (env.STRIPE_SECRET_KEY) {
    if (!env.STRIPE_WEBHOOK_SECRET) {
      logger.warn("STRIPE_WEBHOOK_SECRET is not set: Stripe's webhooks will be rejected; top-ups settle on the checkout return path only");
    }
    if (!env.STRIPE_PUBLISHABLE_KEY) {
      logger.warn("STRIPE_PUBLISHABLE_KEY is not set: customers cannot confirm payments that ask for authentication (3-D Secure)");
    }
    return createStripeProvider({
      secretKey: env.STRIPE_SECRET_KEY,
      apiBase: env.STRIPE_API_BASE,
      webhookSecret,
      publishableKey: env.STRIPE_PUBLISHABLE_KEY,
    });
  }
  return createSimulatedProvider({
    database: options.database,
    publicUrl: options.publicUrl,
    webhookSecret,
    deliverWebhook: options.deliverWebhook,
    logger,
  });
}
