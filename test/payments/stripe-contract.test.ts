import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentProvider } from "../../server/payments/provider";
import type Stripe from "stripe";
import { createStripeProvider } from "../../server/payments/stripe";
import { toCheckoutSession } from "../../server/payments/stripe-events";
import { TEST_WEBHOOK_SECRET } from "../harness";
import { startStripeMock, type StripeMock } from "./stripe-mock";

// The requests the stripe provider sends for saved cards, against stripe-mock, which
// rejects (400) any parameter that Stripe's OpenAPI spec does not accept.
let mock: StripeMock;
let provider: PaymentProvider;

beforeAll(async () => {
  mock = await startStripeMock();
  provider = createStripeProvider({
    secretKey: "sk_test_123",
    apiBase: mock.url,
    webhookSecret: TEST_WEBHOOK_SECRET,
    publishableKey: "pk_test_contract",
  });
});
afterAll(() => mock?.stop());

describe("stripe contract (stripe-mock)", () => {
  it("an off-session PaymentIntent (customer, payment_method, off_session, confirm) is a valid request", async () => {
    const result = await provider.chargeSavedPaymentMethod({
      amount: 2_000,
      currency: "EUR",
      customerId: "cus_test_123",
      paymentMethodId: "pm_card_visa",
      idempotencyKey: "topup_tu_contract_1",
      metadata: { topupId: "tu_contract_1", accountId: "acc_test", kind: "auto" },
    });
    expect(result.paymentIntentId).toMatch(/^pi_/);
    expect(["succeeded", "requires_action", "failed"]).toContain(result.status);
    expect(Number.isInteger(result.amount)).toBe(true);
    expect(result.currency).toBe(result.currency.toUpperCase());
  });

  it("reading a payment intent for the confirm page is a valid request and gives Stripe.js its client secret", async () => {
    // stripe-mock's fixture intent is requires_payment_method (as after an authentication_required decline).
    const confirmation = await provider.getPaymentConfirmation("pi_sca_contract");
    expect(confirmation).toMatchObject({ paymentIntentId: "pi_sca_contract", status: "requires_action" });
    expect(confirmation.next).toMatchObject({
      kind: "stripe_js",
      publishableKey: "pk_test_contract",
      intentStatus: "requires_payment_method",
      clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
    });
  });

  it("a setup-mode checkout session (card saved without paying) is a valid request", async () => {
    const session = await provider.createSetupSession({
      accountId: "acc_test",
      currency: "EUR",
      successUrl: "http://localhost:3000/payment-methods?setup=done",
      cancelUrl: "http://localhost:3000/payment-methods",
      idempotencyKey: "setup_contract_1",
    });
    expect(session.id).toMatch(/^cs_/);
  });

  it("a refund of a payment intent (whole or partial) is a valid request", async () => {
    const whole = await provider.refund({ paymentIntentId: "pi_test_123", idempotencyKey: "refund_1" });
    expect(whole.id).toMatch(/^re_/);
    const part = await provider.refund({ paymentIntentId: "pi_test_123", amount: 500, idempotencyKey: "refund_2" });
    expect(part.id).toMatch(/^re_/);
    expect(typeof part.status).toBe("string");
  });

  it("retrieving a checkout session with its payment intent and card expanded is a valid request", async () => {
    const session = await provider.retrieveCheckoutSession("cs_test_123");
    expect(session.id).toMatch(/^cs_/);
    // stripe-mock's fixture session has no customer, so no card is saved from it.
    expect(session.savedCard).toBeNull();
  });

  it("a paid session's expanded payment intent maps to the saved card", () => {
    const session = toCheckoutSession(
      {
        id: "cs_1",
        mode: "payment",
        setup_intent: null,
        url: null,
        status: "complete",
        payment_status: "paid",
        amount_total: 2_500,
        currency: "eur",
        metadata: { topupId: "tu_1" },
        customer: "cus_1",
        payment_intent: {
          id: "pi_1",
          payment_method: { id: "pm_1", card: { brand: "visa", last4: "4242", exp_month: 4, exp_year: 2031 } },
        } as unknown as Stripe.PaymentIntent,
      },
      "stripe",
    );
    expect(session.paymentIntentId).toBe("pi_1");
    expect(session.savedCard).toEqual({
      provider: "stripe",
      providerPaymentMethodId: "pm_1",
      providerCustomerId: "cus_1",
      brand: "visa",
      last4: "4242",
      expMonth: 4,
      expYear: 2031,
    });
  });
});
