import { Logger as WorkerLogger } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE_STATEMENT_TASK, ISSUE_STATEMENTS_TASK, issueStatement, monthBounds, periodOf } from "../../db/documents/statement";
import type { StatementSnapshot } from "../../db/documents/types";
import { debit } from "../../db/ledger/debit";
import { verifyLedger } from "../../db/ledger/verify";
import { createLogger } from "../../server/logger";
import { createTaskList } from "../../workers/tasks";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { paidTopup } from "../payments/reversal-helpers";
import { pdfText } from "./pdf-text";

/** Monthly statements: computed from the ledger, issued once per month, streamed as PDF. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const thisMonth = periodOf(new Date());
const nextMonthStart = monthBounds(thisMonth).to;

describe("statements", () => {
  it("opening, entries, totals per type and closing agree with the ledger and verify", async () => {
    const p = await paidTopup(ctx, 5_000);
    await fund(ctx, p.customer.accountId, 700);
    for (const amount of [120, 80, 300]) await debit(ctx.deps.ledger, { accountId: p.customer.accountId, amount, description: "API calls" });
    const doc = await issueStatement(ctx.deps.database.sql, ctx.deps.ledger.issuer, p.customer.accountId, thisMonth, nextMonthStart);
    const s = doc.snapshot as StatementSnapshot;
    const [account] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${p.customer.accountId}`;
    expect(s).toMatchObject({ openingBalance: 0, closingBalance: account!.balance, entryCount: 5, interim: false, period: thisMonth });
    expect(s.totals).toEqual([
      { type: "adjustment", amount: 700, count: 1 },
      { type: "topup", amount: 5_000, count: 1 },
      { type: "usage", amount: -500, count: 3 },
    ]);
    expect(s.openingBalance + s.totals.reduce((n, t) => n + t.amount, 0)).toBe(s.closingBalance);
    expect((await verifyLedger(ctx.deps.database.sql)).filter((v) => JSON.stringify(v).includes(p.customer.accountId))).toEqual([]);
    expect(doc.number).toMatch(new RegExp(`^S-${thisMonth}-\\d{6}$`));
    // issued once: a second call returns the same document
    const again = await issueStatement(ctx.deps.database.sql, ctx.deps.ledger.issuer, p.customer.accountId, thisMonth, nextMonthStart);
    expect(again.id).toBe(doc.id);
    await expect(issueStatement(ctx.deps.database.sql, ctx.deps.ledger.issuer, p.customer.accountId, thisMonth, new Date())).rejects.toThrow(
      /not over/,
    );
  });

  it("the current month's PDF is marked interim and lists every entry; other months 404", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    await debit(ctx.deps.ledger, { accountId: c.accountId, amount: 250, description: "Übertragung nach Köln" });
    const res = await ctx.request("GET", `/api/v1/statements/${thisMonth}/pdf`, { apiKey: c.apiKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="statement-${thisMonth}-interim.pdf"`);
    const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
    for (const expected of ["Account statement", "Interim statement", "Opening balance", "€0.00", "test funding", "€10.00", "Übertragung nach Köln", "-€2.50", "Closing balance", "€7.50", "Totals by type"]) {
      expect(text).toContain(expected);
    }
    expect((await ctx.request("GET", "/api/v1/statements/2001-01/pdf", { cookie: c.cookie })).status).toBe(404);
    expect((await ctx.request("GET", `/api/v1/statements/${periodOf(nextMonthStart)}/pdf`, { cookie: c.cookie })).status).toBe(404);
    expect((await ctx.request("GET", "/api/v1/statements/2026-13/pdf", { cookie: c.cookie })).status).toBe(400);
  });

  it("the monthly job issues one statement per account with activity, once", async () => {
    const active = await newCustomer(ctx);
    await fund(ctx, active.accountId, 100);
    const idle = await newCustomer(ctx);
    const tasks = createTaskList({ ...ctx.deps, now: () => nextMonthStart, logger: createLogger("silent") });
    const helpers = { logger: new WorkerLogger(() => () => {}) } as never;
    await tasks[ISSUE_STATEMENTS_TASK]!({ period: thisMonth }, helpers);
    await tasks[ISSUE_STATEMENTS_TASK]!({ period: thisMonth }, helpers);
    const jobs = await ctx.deps.database.sql<{ key: string; payload: { accountId: string; period: string } }[]>`
      SELECT j.key, p.payload FROM graphile_worker.jobs j JOIN graphile_worker._private_jobs p ON p.id = j.id
       WHERE j.task_identifier = ${ISSUE_STATEMENT_TASK} AND j.key IN (${`statement:${active.accountId}:${thisMonth}`}, ${`statement:${idle.accountId}:${thisMonth}`})`;
    expect(jobs.map((j) => j.key)).toEqual([`statement:${active.accountId}:${thisMonth}`]);
    await tasks[ISSUE_STATEMENT_TASK]!(jobs[0]!.payload, helpers);
    await tasks[ISSUE_STATEMENT_TASK]!(jobs[0]!.payload, helpers);
    const docs = await ctx.deps.database.sql`SELECT number FROM documents WHERE account_id = ${active.accountId} AND type = 'statement'`;
    expect(docs).toHaveLength(1);
  });

  // The database cursor's part: 5 000 entries (~110 pages) through the API. The renderer's
  // part, 100 000 entries with a flat heap, is statement-memory.test.ts.
  it("streams a month of 5 000 entries with bounded heap", { timeout: 300_000 }, async () => {
    const c = await newCustomer(ctx);
    const n = 5_000;
    await fund(ctx, c.accountId, 1); // entry 1 (and the EUR adjustments account)
    // A consistent ledger written in one statement: entries 2..n+1, each +1 from the adjustments account.
    await ctx.deps.database.sql`
      WITH e AS (
        INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, description)
        SELECT 'le_bulk_' || ${c.accountId} || '_' || i, ${c.accountId}, 'sys_adjustments_EUR', 'adjustment', 1, i, i, 'EUR', 'bulk entry ' || i
          FROM generate_series(2, ${n + 1}) AS i
        RETURNING 1
      )
      UPDATE accounts SET balance = 1 + (SELECT count(*) FROM e), sequence = 1 + (SELECT count(*) FROM e) WHERE id = ${c.accountId}`;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapMax = heapBefore;
    let bytes = 0;
    let tail = Buffer.alloc(0);
    const res = await ctx.request("GET", `/api/v1/statements/${thisMonth}/pdf`, { cookie: c.cookie });
    expect(res.status).toBe(200);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      tail = Buffer.from(chunk.subarray(-32));
      heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    }
    expect(tail.toString("latin1")).toContain("%%EOF");
    expect(bytes).toBeGreaterThan(200_000);
    // Loose bound: streaming keeps the heap well below what holding the entries and the PDF would take.
    expect(heapMax - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
