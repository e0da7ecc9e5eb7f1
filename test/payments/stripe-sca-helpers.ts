import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Sql } from "../../db/client";
import { savePaymentMethod } from "../../db/ledger/payment-methods";
import { signWebhookPayload } from "../../server/payments/stripe-events";
import { TEST_ISSUER_ENV, TEST_WEBHOOK_SECRET } from "../harness";
import { startStripeMock, type StripeMock } from "./stripe-mock";

export interface StripeScaProxy {
  /** e.g. http://127.0.0.1:41234: STRIPE_API_BASE for the app. */
  url: string;
  stop(): Promise<void>;
}

/**
 * stripe-mock behind a proxy that answers every off-session charge (POST /v1/payment_intents)
 * the way Stripe does when the bank asks for authentication: HTTP 402, card_error
 * `authentication_required`, the intent (`pi_sca_<n>`) left `requires_payment_method`
 * (docs.stripe.com/payments/save-and-reuse). stripe-mock cannot decline; every other request
 * goes to it and is validated against Stripe's OpenAPI spec.
 */
export async function startStripeScaProxy(): Promise<StripeScaProxy> {
  const mock: StripeMock = await startStripeMock();
  let intents = 0;
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(new URL(req.url ?? "/", mock.url), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  };
  const proxy = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/payment_intents") return forward(req, res);
    req.resume();
    const intent = { id: `pi_sca_${++intents}`, object: "payment_intent", amount: 0, currency: "eur", status: "requires_payment_method" };
    res.writeHead(402, { "content-type": "application/json", "request-id": "req_sca" }).end(
      JSON.stringify({
        error: { type: "card_error", code: "authentication_required", message: "This payment requires authentication.", payment_intent: intent },
      }),
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      mock.stop();
    },
  };
}

/** Configuration of an app on the stripe provider behind `proxy`, with a publishable key for Stripe.js. */
export const scaStripeEnv = (proxy: StripeScaProxy, publishableKey: string): Record<string, string> => ({
  STRIPE_SECRET_KEY: "sk_test_123",
  STRIPE_API_BASE: proxy.url,
  STRIPE_PUBLISHABLE_KEY: publishableKey,
  ...TEST_ISSUER_ENV,
});

/** The Stripe card of these tests, as a paid checkout saves it (the account's default). */
export const SCA_CARD = "pm_card_authenticationRequired";

/** Saves SCA_CARD as the account's card. */
export async function saveScaCard(sql: Sql, accountId: string): Promise<void> {
  await savePaymentMethod(sql, accountId, {
    provider: "stripe",
    providerPaymentMethodId: SCA_CARD,
    providerCustomerId: "cus_sca",
    brand: "visa",
    last4: "3155",
    expMonth: 12,
    expYear: 2030,
  });
}

/** A top-up and its PaymentIntent id (amount in minor units, EUR). */
export interface IntentTopup {
  id: string;
  accountId: string;
  amount: number;
  intentId: string;
}

/**
 * A Stripe `payment_intent.*` event (`type`) for the top-up's intent, with a fresh event id,
 * signed with TEST_WEBHOOK_SECRET as Stripe signs it; `extra` adds intent fields
 * (e.g. `last_payment_error`).
 */
export function signedIntentEvent(type: string, topup: IntentTopup, extra: Record<string, unknown> = {}) {
  const rawBody = JSON.stringify({
    id: `evt_${type}_${Math.random().toString(36).slice(2)}`,
    object: "event",
    type,
    data: {
      object: {
        id: topup.intentId,
        object: "payment_intent",
        amount: topup.amount,
        currency: "eur",
        status: type === "payment_intent.succeeded" ? "succeeded" : "requires_payment_method",
        metadata: { topupId: topup.id, accountId: topup.accountId },
        ...extra,
      },
    },
  });
  return { rawBody, signature: signWebhookPayload(rawBody, TEST_WEBHOOK_SECRET) };
}
