import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidSignatureError, ProviderError } from "../../server/payments/errors";
import type { PaymentProvider } from "../../server/payments/provider";
import { createStripeProvider, stripeHostConfig } from "../../server/payments/stripe";
import { signWebhookPayload } from "../../server/payments/stripe-events";
import { createTestContext, newCustomer, TEST_ISSUER_ENV, TEST_WEBHOOK_SECRET, type TestContext } from "../harness";
import { getTopup, type TopupDto } from "./helpers";
import { startStripeMock, type StripeMock } from "./stripe-mock";

// The real stripe-node provider against stripe-mock, which validates every request
// against Stripe's OpenAPI spec and answers with fixtures.
let mock: StripeMock;
let provider: PaymentProvider;
let ctx: TestContext;

beforeAll(async () => {
  mock = await startStripeMock();
  provider = createStripeProvider({ secretKey: "sk_test_123", apiBase: mock.url, webhookSecret: TEST_WEBHOOK_SECRET });
  ctx = await createTestContext({
    STRIPE_SECRET_KEY: "sk_test_123",
    STRIPE_API_BASE: mock.url,
    ...TEST_ISSUER_ENV,
  });
});
afterAll(async () => {
  await ctx?.close();
  mock?.stop();
});

const checkoutInput = {
  topupId: "tu_test",
  accountId: "acc_test",
  amount: 2_500,
  currency: "EUR",
  successUrl: "http://localhost:3000/?topup=tu_test",
  cancelUrl: "http://localhost:3000/?topup=tu_test&canceled=1",
  idempotencyKey: "topup_tu_test",
  saveCard: true,
};

describe("stripe provider against stripe-mock", () => {
  it("STRIPE_API_BASE becomes host, port and protocol", () => {
    expect(stripeHostConfig("http://localhost:12111")).toEqual({ host: "localhost", port: "12111", protocol: "http" });
    expect(stripeHostConfig("https://api.stripe.com")).toEqual({
      host: "api.stripe.com",
      port: 443,
      protocol: "https",
    });
    expect(stripeHostConfig(undefined)).toEqual({});
  });

  it("creates a payment-mode checkout session that Stripe's spec accepts", async () => {
    const session = await provider.createCheckoutSession(checkoutInput);
    expect(session.id).toMatch(/^cs_/);
    expect(session.currency).toBe(session.currency.toUpperCase());
    expect(["open", "complete", "expired"]).toContain(session.status);
    expect(Number.isInteger(session.amountTotal)).toBe(true);
  });

  it("retrieves a checkout session", async () => {
    const session = await provider.retrieveCheckoutSession("cs_test_123");
    expect(session.id).toMatch(/^cs_/);
  });

  it("maps Stripe failures to ProviderError (502 provider_unavailable)", async () => {
    const down = createStripeProvider({
      secretKey: "sk_test_123",
      apiBase: "http://127.0.0.1:1",
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
    const err = await down.retrieveCheckoutSession("cs_test_123").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe("provider_unavailable");
  });

  it("verifies webhooks with the shared code: valid parses, tampered throws InvalidSignatureError", () => {
    const rawBody = JSON.stringify({
      id: "evt_test_1",
      object: "event",
      type: "checkout.session.completed",
      data: {
        object: {
          id: "cs_test_1",
          object: "checkout.session",
          amount_total: 2_500,
          currency: "eur",
          metadata: { topupId: "tu_test" },
          payment_intent: "pi_test_1",
          payment_status: "paid",
          status: "complete",
        },
      },
    });
    const signature = signWebhookPayload(rawBody, TEST_WEBHOOK_SECRET);
    expect(provider.parseWebhook(rawBody, signature)).toEqual({
      id: "evt_test_1",
      type: "checkout.session.completed",
      checkoutSession: {
        id: "cs_test_1",
        mode: "payment",
        url: null,
        status: "complete",
        paymentStatus: "paid",
        paymentIntentId: "pi_test_1",
        amountTotal: 2_500,
        currency: "EUR",
        metadata: { topupId: "tu_test" },
        savedCard: null,
      },
      paymentIntent: undefined,
    });
    expect(() => provider.parseWebhook(rawBody.replace("2500", "2501"), signature)).toThrow(InvalidSignatureError);
    expect(() => provider.parseWebhook(rawBody, undefined)).toThrow(InvalidSignatureError);
  });

  it("POST /topups through the app opens a Stripe checkout session and stores it", async () => {
    const customer = await newCustomer(ctx);
    const res = await ctx.request("POST", "/api/v1/topups", { cookie: customer.cookie, body: { amount: 2_500 } });
    expect(res.status, await res.clone().text()).toBe(201);
    const topup = (await res.json()) as TopupDto;
    expect(topup.status).toBe("pending");
    const [row] = await ctx.deps.database.sql<{ provider: string; provider_session_id: string }[]>`
      SELECT provider, provider_session_id FROM topups WHERE id = ${topup.id}`;
    expect(row!.provider).toBe("stripe");
    expect(row!.provider_session_id).toMatch(/^cs_/);

    // stripe-mock answers with a fixture session whose metadata does not name this
    // top-up: the return path must not settle it from someone else's payment.
    const after = (await (await getTopup(ctx, customer, topup.id)).json()) as TopupDto;
    expect(after.status).toBe("pending");
  });
});
