import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

interface Entry {
  amount: number;
  meter: string | null;
  quantity: string | null;
  unitPrice: string | null;
}

const use = (apiKey: string, body: unknown, headers?: Record<string, string>) =>
  ctx.request("POST", "/api/v1/usage", { apiKey, body, headers });

describe("POST /usage with a meter and quantity", () => {
  it("debits quantity x the price in force and records meter, quantity and unit price on the entry", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const meter = await newPricedMeter(ctx, "0.25");
    // a later version in force now, and a future one that must not apply yet
    await ctx.request("POST", `/api/v1/operator/meters/${meter}/prices`, {
      apiKey: OPERATOR_KEY,
      body: { currency: "EUR", unitAmountDecimal: "0.5", effectiveFrom: new Date(Date.now() - 1000).toISOString() },
    });
    await ctx.request("POST", `/api/v1/operator/meters/${meter}/prices`, {
      apiKey: OPERATOR_KEY,
      body: { currency: "EUR", unitAmountDecimal: "100", effectiveFrom: new Date(Date.now() + 3_600_000).toISOString() },
    });

    const res = await use(customer.apiKey, { meter, quantity: "1001" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { entry: Entry; balance: number };
    expect(body.entry).toMatchObject({ amount: -500, meter, quantity: "1001", unitPrice: "0.5" });
    expect(body.balance).toBe(9_500);

    // the half cent left over completes with the next event
    const next = (await (await use(customer.apiKey, { meter, quantity: "1" })).json()) as { entry: Entry };
    expect(next.entry.amount).toBe(-1);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("posts an event that completes no whole minor unit as a 0 entry, and carries its fraction", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 100);
    const meter = await newPricedMeter(ctx, "0.00025");
    const first = (await (await use(customer.apiKey, { meter, quantity: "1000" })).json()) as { entry: Entry; balance: number };
    expect(first.entry).toMatchObject({ amount: 0, quantity: "1000", unitPrice: "0.00025" });
    expect(first.balance).toBe(100);
    const [rem] = await ctx.deps.database.sql<{ remainder: string }[]>`
      SELECT remainder::text FROM usage_remainders WHERE account_id = ${customer.accountId} AND meter_key = ${meter}`;
    expect(Number(rem!.remainder)).toBe(0.25);
    for (let i = 0; i < 3; i++) await use(customer.apiKey, { meter, quantity: "1000" });
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(99);
  });

  it("replays a priced event with the same Idempotency-Key without debiting or carrying twice", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    const meter = await newPricedMeter(ctx, "0.3");
    const headers = { "idempotency-key": "evt-1" };
    const first = await use(customer.apiKey, { meter, quantity: "5" }, headers);
    const again = await use(customer.apiKey, { meter, quantity: "5" }, headers);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    const { sql } = ctx.deps.database;
    const [row] = await sql<{ n: number; remainder: string }[]>`
      SELECT (SELECT count(*)::int FROM ledger_entries WHERE account_id = ${customer.accountId} AND type = 'usage') AS n,
             (SELECT remainder::text FROM usage_remainders WHERE account_id = ${customer.accountId}) AS remainder`;
    expect(row!.n).toBe(1);
    expect(Number(row!.remainder)).toBe(0.5);
  });

  it("answers 422 with a clear code for an unknown or archived meter, no price in the currency and a bad quantity; nothing changes", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    const usdOnly = await newPricedMeter(ctx, "1", "USD");
    const archived = await newPricedMeter(ctx, "1");
    await ctx.request("PATCH", `/api/v1/operator/meters/${archived}`, { apiKey: OPERATOR_KEY, body: { status: "archived" } });
    const eur = await newPricedMeter(ctx, "1");
    const cases: [unknown, number, string][] = [
      [{ meter: "no.such.meter", quantity: "1" }, 422, "unknown_meter"],
      [{ meter: usdOnly, quantity: "1" }, 422, "no_price"],
      [{ meter: archived, quantity: "1" }, 422, "meter_archived"],
      [{ meter: eur, quantity: "0" }, 422, "invalid_quantity"],
      [{ meter: eur, quantity: "-1" }, 422, "invalid_quantity"],
      [{ meter: eur, quantity: "1e3" }, 422, "invalid_quantity"],
      [{ meter: eur, quantity: "0.0000000000001" }, 422, "invalid_quantity"],
      [{ meter: eur, quantity: "999999999999999" }, 422, "quantity_too_large"],
      [{ meter: eur, quantity: "2000" }, 402, "insufficient_funds"],
      [{ meter: eur, quantity: "1", currency: "USD" }, 422, "currency_mismatch"],
      [{ meter: eur }, 400, "validation_error"],
      [{ meter: eur, quantity: "1", amount: 5 }, 400, "validation_error"],
      [{ quantity: "1" }, 400, "validation_error"],
      [{ meter: eur, quantity: 1 }, 400, "validation_error"],
    ];
    for (const [body, status, code] of cases) {
      const res = await use(customer.apiKey, body);
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const [row] = await ctx.deps.database.sql<{ balance: number; n: number; r: number }[]>`
      SELECT a.balance, (SELECT count(*)::int FROM ledger_entries WHERE account_id = a.id) AS n,
             (SELECT count(*)::int FROM usage_remainders WHERE account_id = a.id) AS r
        FROM accounts a WHERE a.id = ${customer.accountId}`;
    expect(row).toEqual({ balance: 1_000, n: 1, r: 0 });
  });

  it("refuses priced usage on a suspended account", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    const meter = await newPricedMeter(ctx, "1");
    await ctx.request("POST", `/api/v1/operator/accounts/${customer.accountId}/suspend`, { apiKey: OPERATOR_KEY, body: {} });
    const res = await use(customer.apiKey, { meter, quantity: "1" });
    expect(res.status).toBe(403);
  });
});
