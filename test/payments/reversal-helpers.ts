import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { signWebhookPayload } from "../../server/payments/stripe-events";
import { newCustomer, TEST_WEBHOOK_SECRET, type Customer, type TestContext } from "../harness";
import { createTopup, postWebhook, submitCheckout } from "./helpers";

/** Settled top-ups and Stripe-shaped events about their payments (refunds, disputes). */

export interface Paid {
  customer: Customer;
  topupId: string;
  paymentIntentId: string;
}

/** A customer whose top-up of `amount` was paid through the simulated checkout and settled. */
export async function paidTopup(ctx: TestContext, amount: number): Promise<Paid> {
  const customer = await newCustomer(ctx);
  const topup = await createTopup(ctx, customer, amount);
  expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
  const [row] = await ctx.deps.database.sql<{ status: string; provider_payment_id: string }[]>`
    SELECT status, provider_payment_id FROM topups WHERE id = ${topup.id}`;
  expect(row!.status).toBe("succeeded");
  return { customer, topupId: topup.id, paymentIntentId: row!.provider_payment_id };
}

export const rand = () => randomBytes(8).toString("hex");

/** A signed Stripe event whose data.object is `object`; returns the raw body and signature. */
export function stripeEvent(type: string, object: Record<string, unknown>) {
  const rawBody = JSON.stringify(
    {
      id: `evt_${rand()}`,
      object: "event",
      type,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object },
    },
    null,
    2,
  );
  return { rawBody, signature: signWebhookPayload(rawBody, TEST_WEBHOOK_SECRET) };
}

export const chargeRefunded = (p: Paid, amountRefunded: number, chargeId = `ch_${p.paymentIntentId}`) =>
  stripeEvent("charge.refunded", {
    id: chargeId,
    object: "charge",
    payment_intent: p.paymentIntentId,
    amount_refunded: amountRefunded,
    currency: "eur",
  });

/** A signed `charge.dispute.created` / `.closed` event about the payment of `p`. */
export const disputeEvent = (p: Paid, type: "created" | "closed", disputeId: string, amount: number, status: string) =>
  stripeEvent(`charge.dispute.${type}`, {
    id: disputeId,
    object: "dispute",
    payment_intent: p.paymentIntentId,
    amount,
    currency: "eur",
    status,
  });

export async function deliver(ctx: TestContext, event: { rawBody: string; signature: string }): Promise<void> {
  const res = await postWebhook(ctx, event.rawBody, event.signature);
  expect(res.status, await res.clone().text()).toBe(200);
}

export async function balanceOf(ctx: TestContext, accountId: string): Promise<number> {
  const [row] = await ctx.deps.database.sql<
    { balance: number }[]
  >`SELECT balance FROM accounts WHERE id = ${accountId}`;
  return row!.balance;
}
