import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe("concurrent debits (real PostgreSQL, row-locked)", () => {
  it("200 debits of 100 against 10000: exactly 100 succeed, 100 get 402, balance 0 = sum of entries", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);

    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 100 } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(100);
    const rejected = (await responses.find((r) => r.status === 402)!.json()) as { error: { code: string } };
    expect(rejected.error.code).toBe("insufficient_funds");

    const { sql } = ctx.deps.database;
    const [row] = await sql<{ balance: number; sum: number; count: number; sequence: number }[]>`
      SELECT a.balance, a.sequence, (SELECT sum(amount)::bigint FROM ledger_entries WHERE account_id = a.id) AS sum,
             (SELECT count(*)::int FROM ledger_entries WHERE account_id = a.id) AS count
        FROM accounts a WHERE a.id = ${customer.accountId}`;
    expect(row).toEqual({ balance: 0, sum: 0, count: 101, sequence: 101 });
    expect(await verifyLedger(sql)).toEqual([]);
  });

  it("the balance never goes below -overdraftLimit under concurrency", async () => {
    const customer = await newCustomer(ctx);
    const { sql } = ctx.deps.database;
    await sql`UPDATE accounts SET overdraft_limit = 500 WHERE id = ${customer.accountId}`;
    await fund(ctx, customer.accountId, 1_000);
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 70 } })),
    );
    // 1000 + 500 overdraft = 1500 spendable = 21 debits of 70 (1470)
    expect(responses.filter((r) => r.status === 201)).toHaveLength(21);
    const [acc] = await sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(1_000 - 21 * 70);
    expect(await verifyLedger(sql)).toEqual([]);
  });
});
