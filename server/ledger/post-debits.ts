import { debitPosting, type DebitInput } from "../../db/ledger/debit";
import { isUniqueViolation, postEntries, toBalanceEvent, type PostingOutcome } from "../../db/ledger/post-entry";
import { ledgerTransaction } from "../../db/ledger/transaction";
import type { LedgerContext, PostedEntry } from "../../db/ledger/types";
import type { CommitHook } from "./coalesce-debits";

/** A debit waiting for the statement that posts it (group commit, coalescing). */
export interface PendingDebit {
  input: DebitInput;
  commit?: CommitHook;
  resolve(posted: PostedEntry): void;
  reject(err: unknown): void;
}

/** Thrown inside the debits' transaction to roll it back when a commit hook failed. */
class HookFailed extends Error {}

/**
 * Posts `debits` with ONE postEntries statement (db/ledger/post-entry.ts) and settles each
 * with its own outcome: posted (its BalanceEvent published after the commit), or refused by
 * a ledger rule (rejected alone; the others commit). Without commit hooks the statement is
 * its own transaction; with any, the statement and the hooks (each debit's stored
 * Idempotency-Key response) run in one transaction. An account may have several debits
 * only if none of them has an idempotency key (postEntries' contract).
 * @returns false, settling nothing, when nothing was posted and each debit should be posted
 *   alone: a commit hook failed (all rolled back), or a concurrent first posting of one of
 *   their keys won the unique index. Any other failure rejects every debit (outcome unknown,
 *   as for a single debit) and returns true.
 */
export async function postDebitsTogether(ctx: LedgerContext, debits: PendingDebit[]): Promise<boolean> {
  const postings = debits.map((p) => debitPosting(p.input));
  let outcomes: PostingOutcome[];
  try {
    if (!debits.some((p) => p.commit)) {
      outcomes = await postEntries(ctx.sql, postings); // one statement: its own transaction
      for (const o of outcomes) if (o.status === "applied") ctx.events.publish(toBalanceEvent(o.posted));
    } else {
      outcomes = await ledgerTransaction(ctx, async (t) => {
        const posted = await postEntries(t.tx, postings);
        const hooks = posted.map((o, i) => (o.status === "rejected" ? undefined : debits[i]!.commit?.(t.tx, o.posted)));
        if ((await Promise.allSettled(hooks)).some((s) => s.status === "rejected")) throw new HookFailed();
        for (const o of posted) if (o.status === "applied") t.events.publish(toBalanceEvent(o.posted));
        return posted;
      });
    }
  } catch (err) {
    if (err instanceof HookFailed || isUniqueViolation(err)) return false;
    debits.forEach((p) => p.reject(err));
    return true;
  }
  outcomes.forEach((o, i) => (o.status === "rejected" ? debits[i]!.reject(o.error) : debits[i]!.resolve(o.posted)));
  return true;
}
