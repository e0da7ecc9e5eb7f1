import type { Queryable, Sql } from "../client";
import { streamEntries } from "../ledger/list-entries";
import type { LedgerEntry } from "../ledger/types";
import { loadBuyer } from "./buyer";
import { insertDocument } from "./insert-document";
import type { Issuer } from "./issuer";
import { toDocumentRecord, type DocumentRecord, type DocumentRow, type StatementSnapshot } from "./types";

/** `YYYY-MM` -> its UTC bounds [from, to). */
export function monthBounds(period: string): { from: Date; to: Date } {
  const [year, month] = period.split("-").map(Number) as [number, number];
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

/** The `YYYY-MM` (UTC) of `at`. */
export const periodOf = (at: Date) => at.toISOString().slice(0, 7);

/**
 * A month's figures for one account, from the append-only ledger. The month's entries
 * are the sequences after the last entry created before `from` up to the last created
 * before `to`, so opening + the sum of the month's entries = closing exactly, even for
 * entries whose timestamps straddle the boundary; opening and closing are the
 * `balanceAfter` of those boundary entries (0 before the first entry), which is the
 * running balance `verify` checks.
 */
export async function computeStatement(
  q: Queryable,
  accountId: string,
  period: string,
  now: Date,
): Promise<Omit<StatementSnapshot, "issuer" | "buyer">> {
  const { from, to } = monthBounds(period);
  const [row] = await q<{ opening: number; closing: number; first_seq: number; last_seq: number }[]>`
    WITH b AS (
      SELECT (SELECT max(sequence) FROM ledger_entries WHERE account_id = ${accountId} AND created_at < ${from}) AS before_seq,
             (SELECT max(sequence) FROM ledger_entries WHERE account_id = ${accountId} AND created_at < ${to}) AS end_seq
    )
    SELECT coalesce((SELECT balance_after FROM ledger_entries WHERE account_id = ${accountId} AND sequence = b.before_seq), 0)::bigint AS opening,
           coalesce((SELECT balance_after FROM ledger_entries WHERE account_id = ${accountId} AND sequence = b.end_seq), 0)::bigint AS closing,
           coalesce(b.before_seq, 0)::bigint + 1 AS first_seq, coalesce(b.end_seq, 0)::bigint AS last_seq
      FROM b`;
  const { opening, closing, first_seq: firstSeq, last_seq: lastSeq } = row!;
  const totals = await q<{ type: string; amount: number; count: number }[]>`
    SELECT type, sum(amount)::bigint AS amount, count(*)::int AS count FROM ledger_entries
     WHERE account_id = ${accountId} AND sequence BETWEEN ${firstSeq} AND ${lastSeq}
     GROUP BY type ORDER BY type`;
  const entryCount = totals.reduce((n, t) => n + t.count, 0);
  return {
    kind: "statement",
    period,
    from: from.toISOString(),
    to: to.toISOString(),
    openingBalance: opening,
    closingBalance: closing,
    totals: totals.map((t) => ({ type: t.type, amount: t.amount, count: t.count })),
    entryCount,
    firstSequence: entryCount > 0 ? firstSeq : null,
    lastSequence: entryCount > 0 ? lastSeq : null,
    interim: now < to,
  };
}

/**
 * The entries of a statement in sequence order, streamed through a server-side cursor
 * (db/ledger/list-entries.ts streamEntries), so a month of any size is read with bounded memory.
 */
export async function* statementEntries(
  sql: Sql,
  accountId: string,
  s: Pick<StatementSnapshot, "firstSequence" | "lastSequence">,
): AsyncGenerator<LedgerEntry> {
  if (s.firstSequence === null || s.lastSequence === null) return;
  yield* streamEntries(sql, { accountId, fromSequence: s.firstSequence, toSequence: s.lastSequence });
}

/**
 * Issues the statement `S-YYYY-MM-NNNNNN` of a finished month for the account, once: a
 * transaction-scoped advisory lock on (account, period) orders concurrent callers (the
 * monthly job, a download), the second finds the first's document; the unique
 * (account, period) index is the last guard. Returns the existing one when issued before.
 * @throws RangeError for a month that is not over yet (`now` before its end)
 */
export async function issueStatement(sql: Sql, issuer: Issuer, accountId: string, period: string, now: Date): Promise<DocumentRecord> {
  if (now < monthBounds(period).to) throw new RangeError(`statement ${period} is not over yet`);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`statement:${accountId}:${period}`}, 0))`;
    const [existing] = await tx<DocumentRow[]>`
      SELECT * FROM documents WHERE account_id = ${accountId} AND type = 'statement' AND period = ${period}`;
    if (existing) return toDocumentRecord(existing);
    const [account] = await tx<{ currency: string }[]>`SELECT currency FROM accounts WHERE id = ${accountId}`;
    const figures = await computeStatement(tx, accountId, period, now);
    const { buyer, locale } = await loadBuyer(tx, accountId);
    return insertDocument(tx, issuer, {
      accountId,
      type: "statement",
      series: `S-${period}`,
      issuedAt: now,
      currency: account!.currency,
      amount: figures.closingBalance,
      taxRateBp: 0,
      locale,
      period,
      snapshot: { ...figures, issuer, buyer },
    });
  });
}

/** Task name of the monthly job and of the per-account job it enqueues (workers/tasks.ts). */
export const ISSUE_STATEMENTS_TASK = "issue_statements";
export const ISSUE_STATEMENT_TASK = "issue_statement";

/** Accounts enqueued per round of the monthly job: 1000 (bounded statements; it continues after the last id). */
const STATEMENT_BATCH = 1000;

/**
 * Enqueues `issue_statement` for each customer account with ledger entries in `period`
 * (after `afterAccountId`, at most STATEMENT_BATCH), with job key `statement:<account>:<period>`
 * so a repeated run adds no duplicate. @returns the last account id enqueued, null when done
 */
export async function enqueueStatements(sql: Sql, period: string, afterAccountId: string): Promise<string | null> {
  const { from, to } = monthBounds(period);
  const rows = await sql<{ id: string }[]>`
    SELECT a.id FROM accounts a
     WHERE a.kind = 'customer' AND a.id > ${afterAccountId}
       AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = a.id AND e.created_at >= ${from} AND e.created_at < ${to})
     ORDER BY a.id LIMIT ${STATEMENT_BATCH}`;
  for (const { id } of rows) {
    await sql`
      SELECT graphile_worker.add_job(${ISSUE_STATEMENT_TASK}, json_build_object('accountId', ${id}::text, 'period', ${period}::text),
                                     job_key := ${`statement:${id}:${period}`})`;
  }
  return rows.length === STATEMENT_BATCH ? rows.at(-1)!.id : null;
}
