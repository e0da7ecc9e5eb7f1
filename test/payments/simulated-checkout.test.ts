import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { createTopup, getTopup, moneyOf, submitCheckout, topupStatus, type TopupDto } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe("simulated checkout: the full top-up flow", () => {
  it("POST /topups -> pay with 4242 -> credited once, top-up succeeded, ledger verifies", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 2_500);
    expect(topup).toMatchObject({ amount: 2_500, currency: "EUR", status: "pending", settledAt: null });
    expect(topup.id).toMatch(/^tu_/);
    expect(topup.checkoutUrl).toMatch(/^http:\/\/localhost:3000\/simulated-checkout\/cs_sim_/);

    const page = await ctx.request("GET", new URL(topup.checkoutUrl).pathname);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("€25.00");
    for (const card of ["4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0025 0000 3155", "4000 0000 0000 0341"]) {
      expect(html).toContain(card);
    }
    expect(html).toContain(`href="http://localhost:3000/?topup=${topup.id}&amp;canceled=1"`);

    const paid = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`http://localhost:3000/?topup=${topup.id}`);

    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 2_500, topupEntries: 1 });
    const after = (await (await getTopup(ctx, customer, topup.id)).json()) as TopupDto;
    expect(after.status).toBe("succeeded");
    expect(after.settledAt).not.toBeNull();
    const [row] = await ctx.deps.database.sql<{ provider_payment_id: string }[]>`
      SELECT provider_payment_id FROM topups WHERE id = ${topup.id}`;
    expect(row!.provider_payment_id).toMatch(/^pi_sim_/);

    // Paying again (a double submit) redirects again and credits nothing more.
    const again = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    expect(again.status).toBe(303);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 2_500, topupEntries: 1 });
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("shows amounts in the currency's own format (JPY has no minor digits)", async () => {
    const customer = await newCustomer(ctx, "JPY");
    const topup = await createTopup(ctx, customer, 1_200);
    const html = await (await ctx.request("GET", new URL(topup.checkoutUrl).pathname)).text();
    expect(html).toContain("¥1,200");
  });

  it("a declined card (4000000000000002) shows the error and changes nothing", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_000);
    const res = await submitCheckout(ctx, topup.checkoutUrl, { card: "4000 0000 0000 0002" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Your card was declined.");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
    expect(((await (await getTopup(ctx, customer, topup.id)).json()) as TopupDto).status).toBe("pending");

    // The session stays open: a good card afterwards pays it.
    expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 1_000, topupEntries: 1 });
  });

  it("an unknown card number is invalid and changes nothing", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_000);
    for (const card of ["4111111111111111", "", "abc"]) {
      const res = await submitCheckout(ctx, topup.checkoutUrl, { card });
      expect(await res.text()).toContain("Your card number is invalid.");
    }
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });

  it("4000002500003155 asks for 3-D Secure; completing it pays", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_500);
    const step = await submitCheckout(ctx, topup.checkoutUrl, { card: "4000002500003155" });
    expect(step.status).toBe(200);
    const html = await step.text();
    expect(html).toContain("Complete authentication");
    expect(html).toContain("Fail authentication");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });

    const done = await submitCheckout(ctx, topup.checkoutUrl, { card: "4000002500003155", authentication: "complete" });
    expect(done.status).toBe(303);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 1_500, topupEntries: 1 });
  });

  it("failing 3-D Secure shows an error and leaves the session open", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_500);
    const failed = await submitCheckout(ctx, topup.checkoutUrl, { card: "4000002500003155", authentication: "fail" });
    expect(await failed.text()).toContain("We are unable to authenticate your payment method.");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
  });

  it("4000000000000341 pays at checkout and is noted as declining later charges", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 700);
    expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4000000000000341" })).status).toBe(303);
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 700, topupEntries: 1 });
    const [session] = await ctx.deps.database.sql<{ metadata: Record<string, string> }[]>`
      SELECT metadata FROM simulated_checkout_sessions WHERE metadata->>'topupId' = ${topup.id}`;
    expect(session!.metadata).toMatchObject({ sim_card_last4: "0341", sim_off_session_declines: "true" });
  });

  it("expiry and CVC are checked as in Stripe test mode: bad input shows the message and charges nothing", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_100);
    const cases: [Record<string, string>, string][] = [
      [{ expiry: "", cvc: "123" }, "Your card&#39;s expiration date is incomplete."],
      [{ expiry: "1/3", cvc: "123" }, "Your card&#39;s expiration date is incomplete."],
      [{ expiry: "13 / 40", cvc: "123" }, "Your card&#39;s expiration month is invalid."],
      [{ expiry: "01 / 20", cvc: "123" }, "Your card&#39;s expiration date is in the past."],
      [{ cvc: "" }, "Your card&#39;s security code is incomplete."],
      [{ cvc: "12" }, "Your card&#39;s security code is incomplete."],
      [{ cvc: "1234" }, "Your card&#39;s security code is incomplete."],
    ];
    for (const [fields, message] of cases) {
      const res = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242", ...fields });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(message);
    }
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
    expect(await topupStatus(ctx, topup.id)).toBe("pending");
  });

  it("the card saved at checkout has the expiry entered", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_100);
    const year = new Date().getUTCFullYear() + 5;
    const paid = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242", expiry: `07/${year % 100}`, cvc: "321" });
    expect(paid.status).toBe(303);
    const [card] = await ctx.deps.database.sql<{ exp_month: number; exp_year: number }[]>`
      SELECT exp_month, exp_year FROM payment_methods WHERE account_id = ${customer.accountId}`;
    expect(card).toEqual({ exp_month: 7, exp_year: year });
  });

  it("an unknown checkout id is a 404 page", async () => {
    expect((await ctx.request("GET", "/simulated-checkout/cs_sim_nope")).status).toBe(404);
    const res = await submitCheckout(ctx, "http://localhost:3000/simulated-checkout/cs_sim_nope", { card: "4242424242424242" });
    expect(res.status).toBe(404);
  });

  it("a session past its 24 h lifetime expires the top-up and cannot be paid", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 900);
    await ctx.deps.database.sql`
      UPDATE simulated_checkout_sessions SET created_at = now() - interval '25 hours' WHERE metadata->>'topupId' = ${topup.id}`;
    const res = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("expired");
    expect(await topupStatus(ctx, topup.id)).toBe("expired");
    expect(((await (await getTopup(ctx, customer, topup.id)).json()) as TopupDto).status).toBe("expired");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });
});
