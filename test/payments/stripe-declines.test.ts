import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../server/payments/errors";
import type { PaymentProvider } from "../../server/payments/provider";
import { createStripeProvider } from "../../server/payments/stripe";
import { TEST_WEBHOOK_SECRET } from "../harness";

// stripe-mock cannot decline, so the decline paths run against a local server that answers
// POST /v1/payment_intents the way Stripe does for an off-session charge that fails
// (docs.stripe.com/error-codes, docs.stripe.com/payments/save-and-reuse: HTTP 402 with a
// card_error that carries the PaymentIntent).
let reply: { status: number; body: unknown } = { status: 500, body: {} };
const requests: { path: string; idempotencyKey: string | undefined; form: URLSearchParams }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    requests.push({
      path: req.url ?? "",
      idempotencyKey: req.headers["idempotency-key"] as string | undefined,
      form: new URLSearchParams(body),
    });
    res
      .writeHead(reply.status, { "content-type": "application/json", "request-id": "req_test" })
      .end(JSON.stringify(reply.body));
  });
});
let provider: PaymentProvider;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  provider = createStripeProvider({
    secretKey: "sk_test_123",
    apiBase: `http://127.0.0.1:${port}`,
    webhookSecret: TEST_WEBHOOK_SECRET,
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const charge = {
  amount: 2_000,
  currency: "EUR",
  customerId: "cus_123",
  paymentMethodId: "pm_123",
  idempotencyKey: "topup_tu_decline",
  metadata: { topupId: "tu_decline", accountId: "acc_1" },
};

const cardError = (code: string, message: string, intentStatus: string) => ({
  status: 402,
  body: {
    error: {
      type: "card_error",
      code,
      decline_code: code === "card_declined" ? "insufficient_funds" : undefined,
      message,
      payment_intent: {
        id: "pi_declined_1",
        object: "payment_intent",
        amount: 2_000,
        currency: "eur",
        status: intentStatus,
      },
    },
  },
});

describe("stripe provider: off-session declines", () => {
  it("a card_declined 402 is a failed charge with Stripe's message and the intent id, sent with our idempotency key", async () => {
    reply = cardError("card_declined", "Your card has insufficient funds.", "requires_payment_method");
    const result = await provider.chargeSavedPaymentMethod(charge);
    expect(result).toEqual({
      paymentIntentId: "pi_declined_1",
      status: "failed",
      amount: 2_000,
      currency: "EUR",
      failureMessage: "Your card has insufficient funds.",
    });
    const sent = requests.at(-1)!;
    expect(sent.path).toBe("/v1/payment_intents");
    expect(sent.idempotencyKey).toBe("topup_tu_decline");
    expect(Object.fromEntries(sent.form)).toMatchObject({
      amount: "2000",
      currency: "eur",
      off_session: "true",
      confirm: "true",
      customer: "cus_123",
      payment_method: "pm_123",
    });
  });

  it("authentication_required is requires_action, not a failure", async () => {
    reply = cardError("authentication_required", "This payment requires authentication.", "requires_payment_method");
    expect(await provider.chargeSavedPaymentMethod(charge)).toMatchObject({
      paymentIntentId: "pi_declined_1",
      status: "requires_action",
    });
  });

  it("a server error is a ProviderError (the job retries with the same key), never a recorded decline", async () => {
    reply = { status: 500, body: { error: { type: "api_error", message: "Something went wrong on Stripe's end." } } };
    const before = requests.length;
    await expect(provider.chargeSavedPaymentMethod(charge)).rejects.toBeInstanceOf(ProviderError);
    // stripe-node retried it itself, every time with the same idempotency key.
    const tries = requests.slice(before);
    expect(tries.length).toBeGreaterThan(1);
    expect(new Set(tries.map((r) => r.idempotencyKey))).toEqual(new Set(["topup_tu_decline"]));
  });
});
