// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { DEMO_ISSUER } from "../../db/documents/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { suspendAccount } from "../../db/ledger/account-status";
import { AccountSuspendedError, CurrencyMismatchError, InsufficientFundsError } from "../../db/ledger/errors";
import type { BalanceEvent } from "../../db/ledger/types";
import { verifyLedger } from "../../db/ledger/verify";
import { createDebitCoalescer } from "../../server/ledger/coalesce-debits";
import { createGroupCommitter } from "../../server/ledger/group-commit";

let ctx: TestContext;
beforeAll(async () => {
  // the service's own debits group-commit too (GROUP_COMMIT_WAIT_MS, default 1): a wider window for the API test
  ctx = await createTestContext({ GROUP_COMMIT_WAIT_MS: "5" });
});
afterAll(() => ctx.close());

/** A group committer on the test database (10 ms window) whose published events are collected. */
function committer() {
  const events: BalanceEvent[] = [];
  const ledger = { sql: ctx.deps.database.sql, events: { publish: (e: BalanceEvent) => void events.push(e), notify: () => {} }, issuer: DEMO_ISSUER };
  return { debits: createGroupCommitter(ledger, createDebitCoalescer(ledger), 10), events };
}

/** The transaction ids (xmin) that wrote the entries with these ids. */
const writers = async (entryIds: string[]) =>
  new Set((await ctx.deps.database.sql<{ x: string }[]>`SELECT xmin::text AS x FROM ledger_entries WHERE id = ANY(${entryIds}::text[])`).map((r) => r.x));

const funded = async (amount: number) => {
  const c = await newCustomer(ctx);
  await fund(ctx, c.accountId, amount);
  return c.accountId;
};

describe("group commit across accounts (server/ledger/group-commit.ts, real PostgreSQL)", () => {
  it("posts concurrent debits on different accounts in one transaction, each with its own entry and answer", async () => {
    const { debits, events } = committer();
    const accounts = await Promise.all(Array.from({ length: 8 }, () => funded(100)));
    const results = await Promise.all(accounts.map((accountId, i) => debits.debit({ accountId, amount: i + 1, idempotencyKey: `g-${i}` })));
    results.forEach((r, i) => {
      expect(r.entry.accountId).toBe(accounts[i]);
      expect(r.entry.amount).toBe(-(i + 1));
      expect(r.balance).toBe(100 - (i + 1));
      expect(r.replayed).toBe(false);
    });
    expect((await writers(results.map((r) => r.entry.id))).size).toBe(1);
    expect(events.map((e) => e.accountId).sort()).toEqual([...accounts].sort());
    // a retry of the same keys replays
    const again = await Promise.all(accounts.map((accountId, i) => debits.debit({ accountId, amount: i + 1, idempotencyKey: `g-${i}` })));
    expect(again.map((r) => [r.replayed, r.entry.id])).toEqual(results.map((r) => [true, r.entry.id]));
    expect(events).toHaveLength(accounts.length);
  });

  it("rejects only the refused debits (402, suspended, currency); the others commit", async () => {
    const { debits } = committer();
    const rich = await funded(100);
    const poor = await funded(1);
    const suspended = await funded(100);
    await suspendAccount(ctx.deps.ledger, suspended, "operator");
    const settled = await Promise.allSettled([
      debits.debit({ accountId: rich, amount: 10 }),
      debits.debit({ accountId: poor, amount: 5 }),
      debits.debit({ accountId: suspended, amount: 5 }),
      debits.debit({ accountId: rich, amount: 5, currency: "USD" }),
      debits.debit({ accountId: rich, amount: 20 }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(AccountSuspendedError);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(CurrencyMismatchError);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${rich}`;
    expect(acc!.balance).toBe(70);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("a window whose debits all hit one account goes the per-account coalescer's way; mixed accounts are grouped", async () => {
    const ledger = { sql: ctx.deps.database.sql, events: { publish: () => {}, notify: () => {} }, issuer: DEMO_ISSUER };
    const coalescer = createDebitCoalescer(ledger);
    const routed: string[] = [];
    const single = { debit: (input: Parameters<typeof coalescer.debit>[0]) => (routed.push(input.accountId), coalescer.debit(input)) };
    const debits = createGroupCommitter(ledger, single, 10);
    const hot = await funded(100);
    const hotResults = await Promise.all(Array.from({ length: 5 }, () => debits.debit({ accountId: hot, amount: 1 })));
    expect(routed).toEqual(Array(5).fill(hot));
    expect(hotResults.map((r) => r.balance).sort((a, b) => b - a)).toEqual([99, 98, 97, 96, 95]);

    // the coalescer posts the queue behind the first debit with one statement: fewer transactions than debits
    expect((await writers(hotResults.map((r) => r.entry.id))).size).toBeLessThan(5);

    routed.length = 0;
    const [a, b] = await Promise.all([funded(100), funded(100)]);
    const mixed = await Promise.all([a, b, a].map((accountId) => debits.debit({ accountId, amount: 1 })));
    expect(routed).toEqual([]); // one statement, a's two debits in order
    expect((await writers(mixed.map((r) => r.entry.id))).size).toBe(1);
    expect([mixed[0]!.balance, mixed[2]!.balance, mixed[2]!.entry.sequence - mixed[0]!.entry.sequence]).toEqual([99, 98, 1]);

    // with an idempotency key among an account's debits, its later ones queue through the coalescer
    const keyedMixed = await Promise.all(
      [a, b, a].map((accountId, i) => debits.debit({ accountId, amount: 1, idempotencyKey: `mixed-${accountId}-${i}` })),
    );
    expect(routed).toEqual([a]);
    expect((await writers([keyedMixed[0]!.entry.id, keyedMixed[1]!.entry.id])).size).toBe(1);
    expect(keyedMixed.filter((r) => r.entry.accountId === a).map((r) => r.balance).sort()).toEqual([96, 97]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("groups from several processes over overlapping accounts, in any order, never deadlock and lose nothing", async () => {
    // three committers (as three API processes would have) each post 40 windows over the same 12 accounts,
    // every window in its own random order: the account rows must be locked in one order (id) by all
    const accounts = await Promise.all(Array.from({ length: 12 }, () => funded(10_000)));
    const committers = [committer(), committer(), committer()];
    const shuffled = () => [...accounts].sort(() => Math.random() - 0.5);
    const settled = await Promise.allSettled(
      committers.flatMap(({ debits }) =>
        Array.from({ length: 40 }, async (_, w) => {
          await new Promise((r) => setTimeout(r, w % 8));
          return Promise.all(shuffled().map((accountId) => debits.debit({ accountId, amount: 1 })));
        }),
      ),
    );
    const failures = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
    expect(failures).toEqual([]);
    const balances = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ANY(${accounts}::text[])`;
    expect(balances.map((b) => b.balance)).toEqual(Array(12).fill(10_000 - 3 * 40));
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("a failing commit hook rolls the group back and each debit is posted alone", async () => {
    const { debits } = committer();
    const accounts = await Promise.all(Array.from({ length: 4 }, () => funded(100)));
    const recorded: string[] = [];
    const settled = await Promise.allSettled(
      accounts.map((accountId, i) =>
        debits.debit({ accountId, amount: 1 }, async (tx, posted) => {
          if (i === 2) throw new Error("lease lost");
          await tx`SELECT 1`;
          recorded.push(posted.entry.id);
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const balances = await ctx.deps.database.sql<{ id: string; balance: number }[]>`
      SELECT id, balance FROM accounts WHERE id = ANY(${accounts}::text[])`;
    expect(Object.fromEntries(balances.map((b) => [b.id, b.balance]))).toEqual(
      Object.fromEntries(accounts.map((a, i) => [a, i === 2 ? 100 : 99])),
    );
    const ids = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.entry.id] : []));
    expect(recorded.filter((id) => ids.includes(id))).toHaveLength(3);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("through POST /usage: concurrent debits with Idempotency-Keys commit with their stored responses; money is conserved", async () => {
    const customers = await Promise.all(Array.from({ length: 12 }, () => newCustomer(ctx)));
    await Promise.all(customers.map((c) => fund(ctx, c.accountId, 50)));
    const post = (c: (typeof customers)[number], key: string, amount: number) =>
      ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount }, headers: { "Idempotency-Key": key } });
    // per customer: three debits of 20 (the third is refused, 402) and a retry of the first key
    const requests = customers.flatMap((c) => [0, 1, 2].map((i) => ({ c, key: `k-${i}` })));
    const first = await Promise.all(requests.map(({ c, key }) => post(c, key, 20)));
    const statuses = first.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2 * customers.length);
    expect(statuses.filter((s) => s === 402)).toHaveLength(customers.length);
    const again = await Promise.all(requests.map(({ c, key }) => post(c, key, 20)));
    expect(again.map((r) => r.status)).toEqual(statuses);
    expect(again.filter((r) => r.status === 201).every((r) => r.headers.get("Idempotent-Replayed") === "true")).toBe(true);
    const ids = customers.map((c) => c.accountId);
    const [totals] = await ctx.deps.database.sql<{ balances: number; usage: number }[]>`
      SELECT (SELECT sum(balance)::int FROM accounts WHERE id = ANY(${ids}::text[])) AS balances,
             (SELECT count(*)::int FROM ledger_entries WHERE account_id = ANY(${ids}::text[]) AND type = 'usage') AS usage`;
    expect(totals).toEqual({ balances: 10 * customers.length, usage: 2 * customers.length });
    // debits of different accounts shared transactions (group commit), not one each
    const [shared] = await ctx.deps.database.sql<{ transactions: number; accounts: number }[]>`
      SELECT count(*)::int AS transactions, max(n)::int AS accounts
        FROM (SELECT count(DISTINCT account_id) AS n FROM ledger_entries
               WHERE account_id = ANY(${ids}::text[]) AND type = 'usage' GROUP BY xmin::text) t`;
    expect(shared!.accounts).toBeGreaterThan(1);
    expect(shared!.transactions).toBeLessThan(2 * customers.length);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
