import { DEMO_ISSUER } from "../../db/documents/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InsufficientFundsError } from "../../db/ledger/errors";
import type { BalanceEvent } from "../../db/ledger/types";
import { verifyLedger } from "../../db/ledger/verify";
import { createDebitCoalescer } from "../../server/ledger/coalesce-debits";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** A coalescer on the test database whose published events are collected. */
function coalescer() {
  const events: BalanceEvent[] = [];
  const debits = createDebitCoalescer({ sql: ctx.deps.database.sql, events: { publish: (e) => void events.push(e), notify: () => {} }, issuer: DEMO_ISSUER });
  return { debits, events };
}

const entriesOf = (accountId: string) =>
  ctx.deps.database.sql<{ sequence: number; amount: number; created_at: Date; idempotency_key: string | null }[]>`
    SELECT sequence, amount, created_at, idempotency_key FROM ledger_entries WHERE account_id = ${accountId} ORDER BY sequence`;

describe("createDebitCoalescer (real PostgreSQL)", () => {
  it("posts concurrent debits on one account in shared transactions, each with its own entry, and publishes in order", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { debits, events } = coalescer();

    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => debits.debit({ accountId: c.accountId, amount: i + 1 })));

    expect(new Set(results.map((r) => r.entry.id)).size).toBe(40);
    expect(results.map((r) => -r.entry.amount).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const entries = await entriesOf(c.accountId);
    expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // entries of one transaction share its now(): fewer distinct times than debits = they were coalesced
    expect(new Set(entries.slice(1).map((e) => e.created_at.getTime())).size).toBeLessThan(40);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(events.at(-1)!.balance).toBe(1_000 - (40 * 41) / 2);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("rejects only the debits a ledger rule refuses; the others in the batch commit", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 10);
    const { debits } = coalescer();

    const settled = await Promise.allSettled(Array.from({ length: 15 }, () => debits.debit({ accountId: c.accountId, amount: 1 })));

    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(10);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toBeInstanceOf(InsufficientFundsError);
    const [account] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${c.accountId}`;
    expect(account!.balance).toBe(0);
  });

  it("a replayed idempotency key in a batch rolls it back and each debit is posted alone: one entry per key", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { debits } = coalescer();
    const first = await debits.debit({ accountId: c.accountId, amount: 5, idempotencyKey: "dup" });

    const results = await Promise.all([
      debits.debit({ accountId: c.accountId, amount: 1, idempotencyKey: "a" }),
      debits.debit({ accountId: c.accountId, amount: 1, idempotencyKey: "b" }),
      debits.debit({ accountId: c.accountId, amount: 5, idempotencyKey: "dup" }),
      debits.debit({ accountId: c.accountId, amount: 1, idempotencyKey: "c" }),
    ]);

    expect(results[2]).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    expect(results.filter((r) => !r.replayed)).toHaveLength(3);
    const entries = await entriesOf(c.accountId);
    expect(entries.map((e) => e.idempotency_key).sort()).toEqual([null, "a", "b", "c", "dup"].sort());
    expect(entries.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
