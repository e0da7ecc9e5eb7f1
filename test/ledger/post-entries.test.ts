// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debitPosting } from "../../db/ledger/debit";
import { CurrencyMismatchError, InsufficientFundsError, SpendLimitExceededError } from "../../db/ledger/errors";
import { postEntries, type PostingOutcome } from "../../db/ledger/post-entry";
import { verifyLedger } from "../../db/ledger/verify";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const funded = async (amount: number) => {
  const c = await newCustomer(ctx);
  await fund(ctx, c.accountId, amount);
  return c.accountId;
};
const debits = (list: [string, number, string?][]) =>
  postEntries(ctx.deps.database.sql, list.map(([accountId, amount, currency]) => debitPosting({ accountId, amount, currency })));
const summary = (outcomes: PostingOutcome[]) =>
  outcomes.map((o) => (o.status === "rejected" ? o.error.constructor.name : [o.posted.entry.amount, o.posted.balance]));

describe("postEntries: several postings, several per account, in one statement (db/ledger/post-entry.ts)", () => {
  it("applies an account's debits in order when their total passes, each with its own entry, sequence and balance", async () => {
    const [a, b] = await Promise.all([funded(100), funded(100)]);
    const outcomes = await debits([[a, 10], [b, 1], [a, 20], [a, 30]]);
    expect(summary(outcomes)).toEqual([[-10, 90], [-1, 99], [-20, 70], [-30, 40]]);
    const sequences = outcomes.map((o) => (o.status === "rejected" ? 0 : o.posted.entry.sequence));
    expect([sequences[2]! - sequences[0]!, sequences[3]! - sequences[2]!]).toEqual([1, 1]);
    const [row] = await ctx.deps.database.sql<{ count: number }[]>`
      SELECT count(DISTINCT xmin::text)::int AS count FROM ledger_entries WHERE account_id = ANY(${[a, b]}::text[]) AND type = 'usage'`;
    expect(row!.count).toBe(1);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("posts an account's debits one by one when their total breaks a rule: each refused or posted as if sent alone", async () => {
    const [a, b] = await Promise.all([funded(10), funded(3)]);
    const outcomes = await debits([[a, 4], [a, 4, "USD"], [b, 5], [a, 4], [a, 4]]);
    expect(summary(outcomes)).toEqual([[-4, 6], "CurrencyMismatchError", "InsufficientFundsError", [-4, 2], "InsufficientFundsError"]);
    expect((outcomes[2] as { error: unknown }).error).toBeInstanceOf(InsufficientFundsError);
    expect((outcomes[1] as { error: unknown }).error).toBeInstanceOf(CurrencyMismatchError);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("counts an account's debits together against its daily spend limit", async () => {
    const a = await funded(100);
    await ctx.deps.database.sql`UPDATE accounts SET spend_limit_daily = 5 WHERE id = ${a}`;
    const outcomes = await debits([[a, 2], [a, 2], [a, 2]]);
    expect(summary(outcomes)).toEqual([[-2, 98], [-2, 96], "SpendLimitExceededError"]);
    expect((outcomes[2] as { error: unknown }).error).toBeInstanceOf(SpendLimitExceededError);
  });

  it("refuses several keyed postings of one account (a replay among them could not be told apart)", async () => {
    const a = await funded(100);
    const keyed = (key: string) => debitPosting({ accountId: a, amount: 1, idempotencyKey: key });
    await expect(postEntries(ctx.deps.database.sql, [keyed("k1"), keyed("k2")])).rejects.toThrow(/unkeyed unless alone/);
  });
});
