import type postgres from "postgres";
import type { Sql } from "../client";
import type { AccountNotice, BalanceEvent, LedgerContext } from "./types";

/** A LedgerContext bound to one open transaction, plus that transaction. */
export interface LedgerTransaction extends LedgerContext {
  tx: postgres.TransactionSql;
}

/**
 * Runs `fn` in ONE transaction on `ctx`'s pool, with a LedgerContext whose verbs run on
 * that transaction and whose BalanceEvents and notices are held back: they are published
 * only after COMMIT, stamped with the commit time (db/ledger/README.md, rule 8), and
 * dropped on rollback. Lets several verbs, or a verb and the stored response of its
 * request (server/middleware/idempotency.ts), commit together.
 * @throws whatever `fn` or COMMIT throws (then nothing was committed or published)
 */
export async function ledgerTransaction<T>(ctx: LedgerContext, fn: (t: LedgerTransaction) => Promise<T>): Promise<T> {
  const events: BalanceEvent[] = [];
  const notices: AccountNotice[] = [];
  const result = await ctx.sql.begin((tx) =>
    fn({
      ...ctx,
      tx,
      // a transaction runs the same statements as the pool; verbs only issue queries on it
      sql: tx as unknown as Sql,
      events: { publish: (e) => void events.push(e), notify: (n) => void notices.push(n) },
    }),
  );
  const committedAtMs = performance.timeOrigin + performance.now();
  for (const event of events) ctx.events.publish({ ...event, committedAtMs });
  for (const notice of notices) ctx.events.notify(notice);
  return result as T;
}
