import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

describe("GET /usage/summary", () => {
  it("sums quantity and amount per meter per interval, plain amounts under meter null", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 100_000);
    const meter = await newPricedMeter(ctx, "0.5");
    const use = (body: unknown) => ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body });
    await use({ meter, quantity: "3" });
    await use({ meter, quantity: "0.5" });
    await use({ amount: 40 });
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const res = await ctx.request("GET", `/api/v1/usage/summary?from=${from}&to=${to}&interval=month`, { apiKey: customer.apiKey });
    expect(res.status).toBe(200);
    const { buckets } = (await res.json()) as { buckets: { meter: string | null; quantity: string | null; amount: number; start: string }[] };
    const month = new Date();
    month.setUTCDate(1);
    month.setUTCHours(0, 0, 0, 0);
    expect(buckets).toEqual([
      { start: month.toISOString(), meter: null, quantity: null, amount: 40 },
      { start: month.toISOString(), meter, quantity: "3.5", amount: 1 },
    ]);
    const one = await ctx.request("GET", `/api/v1/usage/summary?from=${from}&to=${to}&interval=hour&meter=${meter}`, { cookie: customer.cookie });
    expect(((await one.json()) as { buckets: unknown[] }).buckets).toHaveLength(1);
  });

  it("refuses bad ranges with 400", async () => {
    const customer = await newCustomer(ctx);
    for (const q of [
      "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
      "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&interval=hour",
      "from=yesterday&to=2026-01-01T00:00:00Z",
      "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&interval=week",
    ]) {
      expect((await ctx.request("GET", `/api/v1/usage/summary?${q}`, { apiKey: customer.apiKey })).status, q).toBe(400);
    }
  });
});
