import type { Queryable } from "../../db/client";
import { debit, type DebitInput } from "../../db/ledger/debit";
import { LedgerError } from "../../db/ledger/errors";
import { ledgerTransaction } from "../../db/ledger/transaction";
import type { LedgerContext, PostedEntry } from "../../db/ledger/types";
import { postDebitsTogether, type PendingDebit } from "./post-debits";

/** Most debits posted in one coalesced transaction ("put a limit on everything"). */
export const MAX_DEBITS_PER_BATCH = 64;

/** Debits with the contract of db/ledger/debit.ts, coalesced per account (createDebitCoalescer). */
export interface DebitCoalescer {
  /**
   * Same input, result and errors as `debit` (InsufficientFundsError, ...); resolves
   * once the entry is committed, and its BalanceEvent is published after that commit.
   * `commit`, when given, runs in the entry's transaction right after it is posted (the
   * request's stored response, server/middleware/idempotency.ts): if it throws, the debit
   * is rolled back and rejected with that error.
   */
  debit(input: DebitInput, commit?: CommitHook): Promise<PostedEntry>;
}

/** Work that must commit together with a posted debit, on its transaction. */
export type CommitHook = (tx: Queryable, posted: PostedEntry) => Promise<void>;

/**
 * `debit` on `on`, then `commit` on the same connection: callers give a transaction's
 * LedgerContext whenever there is a hook (ledgerTransaction), so both commit together.
 */
export async function debitThen(on: LedgerContext, input: DebitInput, commit?: CommitHook): Promise<PostedEntry> {
  const posted = await debit(on, input);
  await commit?.(on.sql, posted);
  return posted;
}

/** Thrown inside a batch transaction to roll it back when a statement failed for a reason other than a ledger rule. */
class BatchAborted extends Error {}

/**
 * Hot-account coalescing (shared/DESIGN.md, "Scale-out"): while a debit on an account
 * is in flight, later debits on that account wait, and are then posted together, up
 * to MAX_DEBITS_PER_BATCH: debits without an idempotency key by ONE statement
 * (postDebitsTogether: the account row locked and updated once, one entry each, one commit;
 * if their total breaks a rule, each is posted on its own), a batch holding keyed debits in
 * ONE transaction running the row-locked `debit` statement per request, pipelined on one
 * connection. A lone debit runs as before: one statement, no transaction, no added latency.
 *
 * Each request keeps its own entry, sequence, idempotency key and answer: a debit
 * refused by a ledger rule (insufficient funds, ...) is rejected alone, as the
 * statement changed nothing. Any other failure inside the batch (e.g. a replayed
 * idempotency key's unique violation, which aborts a PostgreSQL transaction) rolls
 * the batch back, and its debits are then posted one by one as without coalescing.
 * A failed COMMIT rejects the whole batch (outcome unknown, as for a single debit).
 * BalanceEvents are published after the commit, in sequence order, stamped with the
 * commit time. State is per process; concurrency across processes is still only the
 * row lock's business.
 */
export function createDebitCoalescer(ctx: LedgerContext): DebitCoalescer {
  /** Accounts with a debit or batch in flight -> debits waiting for it. */
  const waiting = new Map<string, PendingDebit[]>();

  const post = (on: LedgerContext, p: PendingDebit) => debitThen(on, p.input, p.commit);

  const postAlone = async (p: PendingDebit) => {
    try {
      p.resolve(await (p.commit ? ledgerTransaction(ctx, (t) => post(t, p)) : debit(ctx, p.input)));
    } catch (err) {
      p.reject(err);
    }
  };

  const postBatch = async (batch: PendingDebit[]) => {
    if (!batch.some((p) => p.input.idempotencyKey)) {
      if (!(await postDebitsTogether(ctx, batch))) for (const p of batch) await postAlone(p);
      return;
    }
    let outcomes: PromiseSettledResult<PostedEntry>[];
    try {
      outcomes = await ledgerTransaction(ctx, async (t) => {
        const settled = await Promise.allSettled(batch.map((p) => post(t, p)));
        if (settled.some((s) => s.status === "rejected" && !(s.reason instanceof LedgerError)))
          throw new BatchAborted();
        return settled;
      });
    } catch (err) {
      if (!(err instanceof BatchAborted)) return batch.forEach((p) => p.reject(err));
      for (const p of batch) await postAlone(p); // rolled back: nothing was posted
      return;
    }
    outcomes.forEach((o, i) => (o.status === "fulfilled" ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.reason)));
  };

  const run = async (accountId: string, batch: PendingDebit[]) => {
    await (batch.length === 1 ? postAlone(batch[0]!) : postBatch(batch));
    const next = waiting.get(accountId)!;
    if (next.length === 0) waiting.delete(accountId);
    else void run(accountId, next.splice(0, MAX_DEBITS_PER_BATCH));
  };

  return {
    debit(input, commit) {
      return new Promise<PostedEntry>((resolve, reject) => {
        const pending = { input, commit, resolve, reject };
        const queue = waiting.get(input.accountId);
        if (queue) return void queue.push(pending);
        waiting.set(input.accountId, []);
        void run(input.accountId, [pending]);
      });
    },
  };
}
