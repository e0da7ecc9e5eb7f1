import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Card = { id: string; last4: string; isDefault: boolean; brand: string; expYear: number };
const cards = async (c: Customer) =>
  ((await (await ctx.request("GET", "/api/v1/payment-methods", { cookie: c.cookie })).json()) as { data: Card[] }).data;

async function payWith(c: Customer, card: string, amount = 1_000) {
  const topup = await createTopup(ctx, c, amount);
  const res = await submitCheckout(ctx, topup.checkoutUrl, { card });
  expect(res.status).toBe(303);
}

const oneClick = (c: Customer, body: Record<string, unknown>) => ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body });

describe("saved cards", () => {
  it("checkout saves the card; the first becomes default; set default and remove", async () => {
    const c = await newCustomer(ctx);
    await payWith(c, "4242424242424242");
    await payWith(c, "4242424242424242"); // the same card again: stored once
    await payWith(c, "4000000000000341");
    let list = await cards(c);
    expect(list.map((k) => [k.last4, k.isDefault])).toEqual([
      ["4242", true],
      ["0341", false],
    ]);
    expect(list[0]!.brand).toBe("visa");

    const second = list[1]!.id;
    list = ((await (await ctx.request("POST", `/api/v1/payment-methods/${second}/default`, { cookie: c.cookie })).json()) as { data: Card[] }).data;
    expect(list.map((k) => [k.last4, k.isDefault])).toEqual([
      ["0341", true],
      ["4242", false],
    ]);
    const res = await ctx.request("DELETE", `/api/v1/payment-methods/${second}`, { cookie: c.cookie });
    expect(((await res.json()) as { data: Card[] }).data.map((k) => [k.last4, k.isDefault])).toEqual([["4242", true]]);
  });

  it("POST /payment-methods adds a card without paying (setup-mode checkout)", async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("POST", "/api/v1/payment-methods", { cookie: c.cookie });
    expect(res.status).toBe(201);
    const { checkoutUrl } = (await res.json()) as { checkoutUrl: string };
    const page = await ctx.request("GET", new URL(checkoutUrl).pathname);
    expect(await page.text()).toContain("Save card");
    const done = await submitCheckout(ctx, checkoutUrl, { card: "4242424242424242" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("http://localhost:3000/payment-methods?setup=done");
    expect((await cards(c)).map((k) => [k.last4, k.isDefault])).toEqual([["4242", true]]);
    const balance = (await (await ctx.request("GET", "/api/v1/balance", { cookie: c.cookie })).json()) as { balance: number };
    expect(balance.balance).toBe(0);
    const [{ count }] = (await ctx.deps.database.sql`SELECT count(*)::int AS count FROM topups WHERE account_id = ${c.accountId}`) as unknown as [{ count: number }];
    expect(count).toBe(0);
  });

  it("POST /topups with saveCard: false pays without saving the card; the default (true) saves it; a non-boolean is 400", async () => {
    const c = await newCustomer(ctx);
    const once = await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount: 1_000, saveCard: false } });
    expect(once.status).toBe(201);
    const { checkoutUrl } = (await once.json()) as { checkoutUrl: string };
    expect((await submitCheckout(ctx, checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
    const balance = (await (await ctx.request("GET", "/api/v1/balance", { cookie: c.cookie })).json()) as { balance: number };
    expect(balance.balance).toBe(1_000);
    expect(await cards(c)).toEqual([]);

    await expectError(
      await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount: 1_000, saveCard: "no" } }),
      400,
      "validation_error",
    );
    const saved = await createTopup(ctx, c, 1_000);
    expect((await submitCheckout(ctx, saved.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
    expect((await cards(c)).map((k) => k.last4)).toEqual(["4242"]);
  });

  it("leaving the add-card checkout returns with ?setup=canceled", async () => {
    const c = await newCustomer(ctx);
    const { checkoutUrl } = (await (await ctx.request("POST", "/api/v1/payment-methods", { cookie: c.cookie })).json()) as { checkoutUrl: string };
    const html = await (await ctx.request("GET", new URL(checkoutUrl).pathname)).text();
    expect(html).toContain('href="http://localhost:3000/payment-methods?setup=canceled"');
  });

  it("another account's card is 404 and cannot be charged", async () => {
    const a = await newCustomer(ctx);
    const b = await newCustomer(ctx);
    await payWith(a, "4242424242424242");
    const [card] = await cards(a);
    await expectError(await ctx.request("DELETE", `/api/v1/payment-methods/${card!.id}`, { cookie: b.cookie }), 404, "not_found");
    await expectError(await ctx.request("POST", `/api/v1/payment-methods/${card!.id}/default`, { cookie: b.cookie }), 404, "not_found");
    await expectError(await oneClick(b, { amount: 1_000, paymentMethodId: card!.id }), 422, "no_payment_method");
    expect(await cards(a)).toHaveLength(1);
  });

  it("one-click top-up charges the default card without a redirect; a declining card fails with the reason", async () => {
    const c = await newCustomer(ctx);
    await payWith(c, "4242424242424242", 1_000);
    const res = await oneClick(c, { amount: 2_000, paymentMethodId: "default" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: "saved_card", status: "succeeded", amount: 2_000, checkoutUrl: null });
    const balance = (await (await ctx.request("GET", "/api/v1/balance", { cookie: c.cookie })).json()) as { balance: number };
    expect(balance.balance).toBe(3_000);

    await payWith(c, "4000000000000341", 1_000);
    const declining = (await cards(c)).find((k) => k.last4 === "0341")!;
    const failed = await oneClick(c, { amount: 2_000, paymentMethodId: declining.id });
    expect(await failed.json()).toMatchObject({ status: "failed", failureReason: "Your card was declined." });
  });
});
