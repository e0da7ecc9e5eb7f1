import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { signWebhookPayload } from "../../server/payments/stripe-events";
import { createTestContext, newCustomer, TEST_WEBHOOK_SECRET, type Customer, type TestContext } from "../harness";
import {
  captureWebhooks,
  createTopup,
  expectError,
  getTopup,
  moneyOf,
  postWebhook,
  submitCheckout,
  topupStatus,
  type CapturedWebhook,
  type TopupDto,
} from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** A paid top-up whose `checkout.session.completed` event was captured, not delivered. */
async function paidButUndelivered(customer: Customer, amount: number): Promise<{ topup: TopupDto; event: CapturedWebhook }> {
  const topup = await createTopup(ctx, customer, amount);
  const events = await captureWebhooks(ctx, async () => {
    expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
  });
  expect(events).toHaveLength(1);
  return { topup, event: events[0]! };
}

const eventRecorded = async (rawBody: string) => {
  const { id } = JSON.parse(rawBody) as { id: string };
  const rows = await ctx.deps.database.sql`SELECT 1 FROM payment_events WHERE id = ${id}`;
  return rows.length === 1;
};

describe("the emitted event is shaped like Stripe's", () => {
  it("checkout.session.completed with a checkout.session object", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 1_234);
    const parsed = JSON.parse(event.rawBody) as Record<string, unknown> & { data: { object: Record<string, unknown> } };
    expect(parsed).toMatchObject({ object: "event", type: "checkout.session.completed", livemode: false });
    expect(parsed.id).toMatch(/^evt_/);
    expect(typeof parsed.created).toBe("number");
    expect(parsed.data.object).toMatchObject({
      object: "checkout.session",
      amount_total: 1_234,
      currency: "eur",
      metadata: { topupId: topup.id, accountId: customer.accountId },
      payment_status: "paid",
      status: "complete",
      mode: "payment",
    });
    expect(parsed.data.object.id).toMatch(/^cs_sim_/);
    // Expanded with the saved card, as `expand: ["payment_intent.payment_method"]` returns it.
    const intent = parsed.data.object.payment_intent as { id: string; payment_method: { card: { last4: string } } };
    expect(intent.id).toMatch(/^pi_sim_/);
    expect(intent.payment_method.card.last4).toBe("4242");
    expect(parsed.data.object.customer).toMatch(/^cus_sim_/);
    expect(event.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });
});

describe("signature checks: nothing changes without a valid signature", () => {
  it("a body changed after signing is 400 invalid_signature", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 1_000);
    const tampered = event.rawBody.replace('"amount_total": 1000', '"amount_total": 100000');
    expect(tampered).not.toBe(event.rawBody);
    await expectError(await postWebhook(ctx, tampered, event.signature), 400, "invalid_signature");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
    expect(await eventRecorded(event.rawBody)).toBe(false);
  });

  it("a timestamp 301 s old is 400 invalid_signature (tolerance 300 s)", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 1_000);
    const old = signWebhookPayload(event.rawBody, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301);
    await expectError(await postWebhook(ctx, event.rawBody, old), 400, "invalid_signature");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
    expect(await eventRecorded(event.rawBody)).toBe(false);

    // The same body, freshly signed, is accepted: only the timestamp was wrong.
    expect((await postWebhook(ctx, event.rawBody, signWebhookPayload(event.rawBody, TEST_WEBHOOK_SECRET))).status).toBe(200);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 1_000, topupEntries: 1 });
  });

  it("missing, malformed or wrong-secret signatures are 400", async () => {
    const customer = await newCustomer(ctx);
    const { event } = await paidButUndelivered(customer, 1_000);
    await expectError(await postWebhook(ctx, event.rawBody), 400, "invalid_signature");
    await expectError(await postWebhook(ctx, event.rawBody, "garbage"), 400, "invalid_signature");
    await expectError(await postWebhook(ctx, event.rawBody, signWebhookPayload(event.rawBody, "whsec_other")), 400, "invalid_signature");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });
});

describe("at most once", () => {
  it("the same event delivered 5 times credits once", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 2_000);
    for (let i = 0; i < 5; i++) {
      const res = await postWebhook(ctx, event.rawBody, event.signature);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true });
    }
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 2_000, topupEntries: 1 });
    expect(await topupStatus(ctx, topup.id)).toBe("succeeded");
    expect(await eventRecorded(event.rawBody)).toBe(true);
  });

  it("the same event delivered 5 times concurrently credits once", async () => {
    for (let round = 0; round < 3; round++) {
      const customer = await newCustomer(ctx);
      const { event } = await paidButUndelivered(customer, 3_000);
      const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(ctx, event.rawBody, event.signature)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 3_000, topupEntries: 1 });
    }
  });

  it("the checkout return path (GET /topups/:id) racing the webhook credits once", async () => {
    for (let round = 0; round < 8; round++) {
      const customer = await newCustomer(ctx);
      const { topup, event } = await paidButUndelivered(customer, 5_000);
      const [hook, ...gets] = await Promise.all([
        postWebhook(ctx, event.rawBody, event.signature),
        getTopup(ctx, customer, topup.id),
        getTopup(ctx, customer, topup.id),
        postWebhook(ctx, event.rawBody, event.signature),
      ]);
      expect(hook!.status).toBe(200);
      for (const res of gets) expect(res.status).toBeLessThan(300);
      expect(((await (await getTopup(ctx, customer, topup.id)).json()) as TopupDto).status).toBe("succeeded");
      expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 5_000, topupEntries: 1 });
    }
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("the return path alone settles a paid top-up whose webhook never came, and the late webhook is a no-op", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 4_000);
    const res = await getTopup(ctx, customer, topup.id);
    expect(((await res.json()) as TopupDto).status).toBe("succeeded");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 4_000, topupEntries: 1 });
    expect((await postWebhook(ctx, event.rawBody, event.signature)).status).toBe(200);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 4_000, topupEntries: 1 });
  });
});

describe("event types", () => {
  const signed = (event: object) => {
    const rawBody = JSON.stringify(event);
    return { rawBody, signature: signWebhookPayload(rawBody, TEST_WEBHOOK_SECRET) };
  };

  it("unknown event types are acknowledged and ignored", async () => {
    const { rawBody, signature } = signed({
      id: `evt_test_unknown_${Date.now()}`,
      object: "event",
      type: "customer.created",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "cus_1", object: "customer" } },
    });
    const res = await postWebhook(ctx, rawBody, signature);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
  });

  it("checkout.session.expired marks a pending top-up expired", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_000);
    const session = (id: string, status: string, paymentStatus: string) => ({
      id,
      object: "checkout.session",
      amount_total: 1_000,
      currency: "eur",
      metadata: { topupId: topup.id, accountId: customer.accountId },
      payment_intent: null,
      payment_status: paymentStatus,
      status,
      mode: "payment",
      url: null,
    });
    const expired = signed({
      id: `evt_test_expired_${Date.now()}`,
      object: "event",
      type: "checkout.session.expired",
      created: Math.floor(Date.now() / 1000),
      data: { object: session("cs_test_x", "expired", "unpaid") },
    });
    expect((await postWebhook(ctx, expired.rawBody, expired.signature)).status).toBe(200);
    expect(await topupStatus(ctx, topup.id)).toBe("expired");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });

  it("a completed event naming an unknown top-up is acknowledged and changes nothing", async () => {
    const { rawBody, signature } = signed({
      id: `evt_test_foreign_${Date.now()}`,
      object: "event",
      type: "checkout.session.completed",
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: "cs_test_foreign",
          object: "checkout.session",
          amount_total: 1_000,
          currency: "eur",
          metadata: { topupId: "tu_does_not_exist" },
          payment_intent: "pi_test_foreign",
          payment_status: "paid",
          status: "complete",
        },
      },
    });
    expect((await postWebhook(ctx, rawBody, signature)).status).toBe(200);
  });

  it("a paid amount that differs from the top-up is rejected (422) and not recorded, so Stripe retries", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_000);
    const { rawBody, signature } = signed({
      id: `evt_test_mismatch_${Date.now()}`,
      object: "event",
      type: "checkout.session.completed",
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: "cs_test_mismatch",
          object: "checkout.session",
          amount_total: 999,
          currency: "eur",
          metadata: { topupId: topup.id },
          payment_intent: `pi_test_mismatch_${Date.now()}`,
          payment_status: "paid",
          status: "complete",
        },
      },
    });
    await expectError(await postWebhook(ctx, rawBody, signature), 422, "payment_mismatch");
    expect(await eventRecorded(rawBody)).toBe(false);
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });
});

describe("malformed but validly signed events", () => {
  const signedEvent = (object: unknown, type: string, timestampS?: number) => {
    const rawBody = JSON.stringify({
      id: `evt_test_malformed_${Date.now()}_${Math.random()}`,
      object: "event",
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object },
    });
    return { rawBody, signature: signWebhookPayload(rawBody, TEST_WEBHOOK_SECRET, timestampS) };
  };

  it("data.object null, amount_refunded \"lots\" and a bad session are 400 validation_error, unrecorded, changing nothing", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 1_000);
    expect((await postWebhook(ctx, event.rawBody, event.signature)).status).toBe(200);
    const before = await moneyOf(ctx, customer.accountId);
    const cases = [
      signedEvent(null, "charge.refunded"),
      signedEvent({ id: "ch_x", object: "charge", payment_intent: "pi_x", amount_refunded: "lots", currency: "eur" }, "charge.refunded"),
      signedEvent(
        { id: "cs_x", object: "checkout.session", amount_total: "1000", currency: "eur", metadata: { topupId: topup.id }, status: "complete", payment_status: "paid", mode: "payment" },
        "checkout.session.completed",
      ),
      signedEvent({ id: "dp_x", object: "dispute", payment_intent: "pi_x", amount: -5, currency: "eur", status: "won" }, "charge.dispute.created"),
      signedEvent({ id: "pi_x", object: "payment_intent", status: "succeeded", amount: 1.5, currency: "eur", metadata: { topupId: topup.id } }, "payment_intent.succeeded"),
    ];
    for (const { rawBody, signature } of cases) {
      await expectError(await postWebhook(ctx, rawBody, signature), 400, "validation_error");
      expect(await eventRecorded(rawBody)).toBe(false);
    }
    expect(await moneyOf(ctx, customer.accountId)).toEqual(before);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("a timestamp more than 300 s in the future is refused like an old one", async () => {
    const customer = await newCustomer(ctx);
    const { topup, event } = await paidButUndelivered(customer, 1_000);
    const ahead = signWebhookPayload(event.rawBody, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) + 301);
    await expectError(await postWebhook(ctx, event.rawBody, ahead), 400, "invalid_signature");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
    expect(await eventRecorded(event.rawBody)).toBe(false);
  });
});
