// PLACEHOLDER, replaced by the payments work (simulated.ts, stripe.ts).
import type { Database } from "../../db/client";
import type { Env } from "../env";
import type { Logger } from "../logger";
import type { PaymentProvider } from "./provider";

/** Posts a signed, Stripe-shaped event (raw JSON body, Stripe-Signature header) to our webhook route. */
export type WebhookDelivery = (rawBody: string, signatureHeader: string) => Promise<void>;

export interface PaymentProviderOptions {
  env: Env;
  publicUrl: string;
  database: Database;
  logger: Logger;
  deliverWebhook: WebhookDelivery;
}

export function createPaymentProvider(_options: PaymentProviderOptions): PaymentProvider {
  const fail = () => {
    throw new Error("payments not implemented yet");
  };
  return { name: "simulated", createCheckoutSession: fail, retrieveCheckoutSession: fail, parseWebhook: fail };
}
