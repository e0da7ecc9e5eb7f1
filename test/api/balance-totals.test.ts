import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

it("GET /balance/totals sums top-ups and usage (with captures) since from; bad input 400; own account only", async () => {
  const c = await newCustomer(ctx);
  const other = await newCustomer(ctx);
  const start = new Date(Date.now() - 60_000).toISOString();
  const topup = await createTopup(ctx, c, 5_000);
  expect((await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
  const afterTopup = new Date().toISOString();
  await fund(ctx, c.accountId, 700); // an adjustment: neither
  expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 120 } })).status).toBe(201);
  const { hold } = (await (
    await ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, body: { amount: 300 } })
  ).json()) as { hold: { id: string } };
  expect(
    (await ctx.request("POST", `/api/v1/holds/${hold.id}/capture`, { apiKey: c.apiKey, body: { amount: 80 } })).status,
  ).toBe(200);

  const get = (who: typeof c, from: string) =>
    ctx.request("GET", `/api/v1/balance/totals?from=${encodeURIComponent(from)}`, { cookie: who.cookie });
  const res = await get(c, start);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ from: start, topups: 5_000, usage: 200 });
  expect(await (await get(other, start)).json()).toEqual({ from: start, topups: 0, usage: 0 });
  expect(await (await get(c, afterTopup)).json()).toEqual({ from: afterTopup, topups: 0, usage: 200 });

  const byKey = await ctx.request("GET", `/api/v1/balance/totals?from=${encodeURIComponent(start)}`, { apiKey: c.apiKey });
  expect(await byKey.json()).toMatchObject({ topups: 5_000, usage: 200 });
  for (const from of ["yesterday", new Date(Date.now() + 3_600_000).toISOString(), "2020-01-01T00:00:00Z", ""]) {
    await expectError(await get(c, from), 400, "validation_error");
  }
  await expectError(await ctx.request("GET", `/api/v1/balance/totals?from=${encodeURIComponent(start)}`), 401, "unauthenticated");
});
