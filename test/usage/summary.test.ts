import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
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

  it("keeps hourly rollups equal to the ledger for single, priced and batch usage, and sums whole and partial hours alike", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000_000);
    const meter = await newPricedMeter(ctx, "0.3");
    const use = (body: unknown) => ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body });
    // concurrent single posts and a batch, so rollup rows are updated under contention
    const posted = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => use(i % 2 ? { amount: 7 } : { meter, quantity: "1.7" })),
      ctx.request("POST", "/api/v1/usage/batch", {
        apiKey: customer.apiKey,
        body: { events: [{ id: "r1", amount: 11 }, { id: "r2", meter, quantity: "2.25" }, { id: "r3", meter, quantity: "4" }] },
      }),
    ]);
    expect(posted.map((r) => r.status)).toEqual([...Array(10).fill(201), 200]);

    const { sql } = ctx.deps.database;
    const [rollup] = await sql<{ quantity: string; amount: number; entries: number }[]>`
      SELECT sum(quantity)::text AS quantity, sum(amount)::int AS amount, sum(entries)::int AS entries
        FROM usage_rollups WHERE account_id = ${customer.accountId} AND meter = ${meter}`;
    const [ledger] = await sql<{ quantity: string; amount: number }[]>`
      SELECT sum(quantity)::text AS quantity, (-sum(amount))::int AS amount FROM ledger_entries
       WHERE account_id = ${customer.accountId} AND meter = ${meter}`;
    expect(rollup).toEqual({ ...ledger, entries: 7 });
    expect(rollup!.quantity).toBe("14.75"); // 5 x 1.7 + 2.25 + 4
    const violations = await verifyLedger(sql);
    expect(violations.filter((v) => v.invariant.startsWith("usage rollups"))).toEqual([]);

    const hour = 3_600_000;
    const now = Date.now();
    const summed = async (from: number, to: number) => {
      const res = await ctx.request(
        "GET",
        `/api/v1/usage/summary?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&interval=day`,
        { apiKey: customer.apiKey },
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { buckets: { meter: string | null; quantity: string | null; amount: number }[] }).buckets;
    };
    const whole = await summed(Math.floor(now / hour) * hour - hour, Math.ceil(now / hour) * hour + hour); // rollups only
    const partial = await summed(now - 3 * hour + 1234, now + 2 * hour + 5678); // rollups + entries of the partial hours
    const entriesOnly = await summed(now - 60_000, now + 60_000); // under two hours: entries only
    const expected = [
      { meter: null, quantity: null, amount: 5 * 7 + 11 },
      { meter, quantity: "14.75", amount: ledger!.amount },
    ];
    for (const buckets of [whole, partial, entriesOnly]) {
      // a range across midnight UTC splits into two days; sum them per meter
      const perMeter = [null, meter].map((m) => {
        const rows = buckets.filter((b) => b.meter === m);
        return { meter: m, quantity: m ? rows.reduce((s, b) => s + Number(b.quantity), 0).toString() : null, amount: rows.reduce((s, b) => s + b.amount, 0) };
      });
      expect(perMeter).toEqual(expected);
    }
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
