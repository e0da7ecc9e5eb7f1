import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const setLimits = (cookie: string, body: unknown) => ctx.request("PUT", "/api/v1/spend-limits", { cookie, body });

describe("spend limits", () => {
  it("refuses usage beyond the daily limit with 402 spend_limit_exceeded and debits nothing; audited", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const res = await setLimits(customer.cookie, { daily: 500, monthly: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ daily: 500, monthly: null, spentToday: 0 });

    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 400 } })).status).toBe(201);
    const refused = await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 101 } });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: "spend_limit_exceeded",
      details: { period: "daily", limit: 500, spent: 400, requested: 101 },
    });
    const meter = await newPricedMeter(ctx, "50");
    const priced = await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { meter, quantity: "3" } });
    expect(priced.status).toBe(402);
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 100 } })).status).toBe(201);

    const limits = await (await ctx.request("GET", "/api/v1/spend-limits", { apiKey: customer.apiKey })).json();
    expect(limits).toMatchObject({ daily: 500, spentToday: 500, spentThisMonth: 500 });
    const { sql } = ctx.deps.database;
    const [acc] = await sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(9_500);
    const [rem] = await sql`SELECT 1 FROM usage_remainders WHERE account_id = ${customer.accountId}`;
    expect(rem).toBeUndefined(); // the refused priced event carried nothing
    const audit = await sql<{ actor: string; after: { daily: number } }[]>`
      SELECT actor, after FROM audit_log WHERE target_id = ${customer.accountId} AND action = 'spend_limits.updated'`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toMatch(/^user:usr_/);
    expect(audit[0]!.after.daily).toBe(500);
  });

  it("the monthly limit counts across days, and top-ups or other credits do not count", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    await setLimits(customer.cookie, { daily: null, monthly: 300 });
    const { sql } = ctx.deps.database;
    // 250 used earlier this month (yesterday's counter, unless today is the 1st)
    await sql`UPDATE accounts SET spent_month = 250, spent_month_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                                  spent_day = 999, spent_day_start = (now() AT TIME ZONE 'UTC')::date - 1
               WHERE id = ${customer.accountId}`;
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 51 } })).status).toBe(402);
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 50 } })).status).toBe(201);
    const limits = await (await ctx.request("GET", "/api/v1/spend-limits", { cookie: customer.cookie })).json();
    expect(limits).toMatchObject({ spentToday: 50, spentThisMonth: 300 });
  });

  it("is exact under concurrency: 60 debits of 100 against a daily limit of 1000 -> exactly 10 succeed", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 100_000);
    await setLimits(customer.cookie, { daily: 1000, monthly: null });
    const meter = await newPricedMeter(ctx, "100");
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: i % 2 ? { amount: 100 } : { meter, quantity: "1" } }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 402)).toHaveLength(50);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(99_000);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("batch events beyond the limit answer spend_limit_exceeded", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    await setLimits(customer.cookie, { daily: 250, monthly: null });
    const res = await ctx.request("POST", "/api/v1/usage/batch", {
      apiKey: customer.apiKey,
      body: { events: [1, 2, 3].map((i) => ({ id: `s${i}`, amount: 100 })) },
    });
    const { results } = (await res.json()) as { results: { status: string }[] };
    expect(results.map((r) => r.status)).toEqual(["applied", "applied", "spend_limit_exceeded"]);
  });

  it("only owners and admins set limits; bad limits are 400 and change nothing", async () => {
    const customer = await newCustomer(ctx);
    for (const body of [{ daily: -1, monthly: null }, { daily: 1.5, monthly: null }, { daily: 100 }, { daily: null, monthly: null, x: 1 }]) {
      expect((await setLimits(customer.cookie, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await ctx.request("PUT", "/api/v1/spend-limits", { apiKey: customer.apiKey, body: { daily: 1, monthly: 1 } })).status).toBe(401);
    const limits = await (await ctx.request("GET", "/api/v1/spend-limits", { cookie: customer.cookie })).json();
    expect(limits).toMatchObject({ daily: null, monthly: null });
  });
});
