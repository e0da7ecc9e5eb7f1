import type { Sql } from "../../db/client";
import { debit, type DebitInput } from "../../db/ledger/debit";
import { LedgerError } from "../../db/ledger/errors";
import type { AccountNotice, BalanceEvent, LedgerContext, PostedEntry } from "../../db/ledger/types";

/** Most debits posted in one coalesced transaction ("put a limit on everything"). */
export const MAX_DEBITS_PER_BATCH = 64;

/** Debits with the contract of db/ledger/debit.ts, coalesced per account (createDebitCoalescer). */
export interface DebitCoalescer {
  /**
   * Same input, result and errors as `debit` (InsufficientFundsError, ...); resolves
   * once the entry is committed, and its BalanceEvent is published after that commit.
   */
  debit(input: DebitInput): Promise<PostedEntry>;
}

interface Pending {
  input: DebitInput;
  resolve(posted: PostedEntry): void;
  reject(err: unknown): void;
}

/** Thrown inside a batch transaction to roll it back when a statement failed for a reason other than a ledger rule. */
class BatchAborted extends Error {}

/**
 * Hot-account coalescing (shared/DESIGN.md, "Scale-out"): while a debit on an account
 * is in flight, later debits on that account wait, and are then posted together, up
 * to MAX_DEBITS_PER_BATCH, in ONE transaction: the same row-locked `debit` statement
 * per request, pipelined on one connection, so the account row is locked once and
 * the batch pays one commit (WAL flush) instead of one each. A lone debit runs as
 * before: one statement, no transaction, no added latency.
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
  const waiting = new Map<string, Pending[]>();

  const postAlone = async (p: Pending) => {
    try {
      p.resolve(await debit(ctx, p.input));
    } catch (err) {
      p.reject(err);
    }
  };

  const postBatch = async (batch: Pending[]) => {
    const events: BalanceEvent[] = [];
    const notices: AccountNotice[] = [];
    const buffered = {
      publish: (e: BalanceEvent) => void events.push(e),
      notify: (n: AccountNotice) => void notices.push(n),
    };
    let outcomes: PromiseSettledResult<PostedEntry>[];
    try {
      outcomes = await ctx.sql.begin(async (tx) => {
        // a transaction runs the same statements as the pool; debit() only issues queries on it
        const inTx = { ...ctx, sql: tx as unknown as Sql, events: buffered };
        const settled = await Promise.allSettled(batch.map((p) => debit(inTx, p.input)));
        if (settled.some((s) => s.status === "rejected" && !(s.reason instanceof LedgerError)))
          throw new BatchAborted();
        return settled;
      });
    } catch (err) {
      if (!(err instanceof BatchAborted)) return batch.forEach((p) => p.reject(err));
      for (const p of batch) await postAlone(p); // rolled back: nothing was posted
      return;
    }
    const committedAtMs = performance.timeOrigin + performance.now();
    for (const event of events) ctx.events.publish({ ...event, committedAtMs });
    for (const notice of notices) ctx.events.notify(notice);
    outcomes.forEach((o, i) => (o.status === "fulfilled" ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.reason)));
  };

  const run = async (accountId: string, batch: Pending[]) => {
    await (batch.length === 1 ? postAlone(batch[0]!) : postBatch(batch));
    const next = waiting.get(accountId)!;
    if (next.length === 0) waiting.delete(accountId);
    else void run(accountId, next.splice(0, MAX_DEBITS_PER_BATCH));
  };

  return {
    debit(input) {
      return new Promise<PostedEntry>((resolve, reject) => {
        const pending = { input, resolve, reject };
        const queue = waiting.get(input.accountId);
        if (queue) return void queue.push(pending);
        waiting.set(input.accountId, []);
        void run(input.accountId, [pending]);
      });
    },
  };
}
