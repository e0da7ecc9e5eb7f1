import { expect } from "vitest";
import type { Customer, TestContext } from "../harness";
import { createTopup, submitCheckout } from "../payments/helpers";

/** Pays a top-up of `amount` for an existing customer through the simulated checkout (card 4242). */
export async function paidTopupFor(ctx: TestContext, customer: Customer, amount: number): Promise<string> {
  const topup = await createTopup(ctx, customer, amount);
  expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
  return topup.id;
}
