import type { Sql } from "../client";
import { LedgerError } from "./errors";
import { findPostedEntry, postEntry, toBalanceEvent } from "./post-entry";
import { postPricedDebit } from "./priced-debit";
import type { LedgerContext, PostedEntry } from "./types";

/** Most events in one batch (shared/DESIGN.md, "Priced usage"; "put a limit on everything"). */
export const MAX_BATCH_EVENTS = 1000;
/** Accounts of one batch posted at the same time (each holds a pooled connection for its transaction). */
const ACCOUNTS_IN_PARALLEL = 8;

/** One validated usage event: an amount, or a meter and quantity. `id` is its idempotency key on its account. */
export interface UsageEvent {
  id: string;
  accountId: string;
  amount?: number;
  meter?: string;
  quantity?: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
}

/** What became of one event: posted now, found (already posted with this id), or refused by a ledger rule. */
export type UsageOutcome =
  | { status: "applied" | "replayed"; posted: PostedEntry }
  | { status: "rejected"; error: LedgerError };

/**
 * Posts usage events, grouped per account: one transaction per account, which first
 * locks the account row and looks up which event ids were already posted (one query),
 * then posts each event with the statements of `debit` / `pricedDebit`. Plain amounts
 * are pipelined on the transaction's connection (a refused debit changes nothing and
 * does not abort the transaction); a priced event runs in a savepoint, since its
 * remainder update must be undone when its debit is refused. So each event is applied
 * at most once (its id is its idempotency key on the account) and a refused event does
 * not stop the others: the batch is not all-or-nothing. An id repeated within the batch
 * is posted once and replayed after that. BalanceEvents are published after each
 * account's commit. Outcomes are returned in input order.
 * @throws when a transaction fails for a reason other than a ledger rule (its account's events are then unknown)
 */
export async function postUsageBatch(ctx: LedgerContext, events: UsageEvent[]): Promise<UsageOutcome[]> {
  const outcomes = new Array<UsageOutcome>(events.length);
  const byAccount = new Map<string, number[]>();
  events.forEach((e, i) => byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), i]));
  const queue = [...byAccount.values()];
  const worker = async () => {
    for (let indexes = queue.shift(); indexes; indexes = queue.shift()) {
      const posted = await postAccountEvents(ctx.sql, indexes.map((i) => events[i]!));
      posted.forEach((o, j) => (outcomes[indexes[j]!] = o));
      const committedAtMs = performance.timeOrigin + performance.now();
      for (const o of posted) if (o.status === "applied") ctx.events.publish({ ...toBalanceEvent(o.posted), committedAtMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ACCOUNTS_IN_PARALLEL, queue.length) }, worker));
  return outcomes;
}

/** The events of one account, in one transaction (see postUsageBatch). */
async function postAccountEvents(sql: Sql, events: UsageEvent[]): Promise<UsageOutcome[]> {
  const accountId = events[0]!.accountId;
  return sql.begin(async (tx) => {
    // two statements pipelined in one round trip: the second takes its snapshot after the
    // first holds the row lock, so it sees every entry committed by an earlier lock holder
    const [, done] = await Promise.all([
      tx`SELECT 1 FROM accounts WHERE id = ${accountId} FOR UPDATE`,
      tx<{ idempotency_key: string }[]>`
        SELECT idempotency_key FROM ledger_entries
         WHERE account_id = ${accountId} AND idempotency_key = ANY(${events.map((e) => e.id)}::text[])`,
    ]);
    const posted = new Set(done.map((r) => r.idempotency_key));
    const pending: Promise<UsageOutcome>[] = [];
    const settle = (p: Promise<PostedEntry>, status: "applied" | "replayed"): Promise<UsageOutcome> =>
      p.then(
        (posted) => ({ status, posted }),
        (err: unknown) => {
          if (err instanceof LedgerError) return { status: "rejected", error: err };
          throw err;
        },
      );
    const first = new Map<string, Promise<UsageOutcome>>();
    for (const e of events) {
      const input = { accountId, idempotencyKey: e.id, description: e.description, metadata: e.metadata };
      const earlier = first.get(e.id);
      let outcome: Promise<UsageOutcome>;
      if (earlier) {
        // the same id twice in one batch: the second is a replay of whatever the first became
        outcome = earlier.then((o) => (o.status === "applied" ? { status: "replayed", posted: o.posted } : o));
      } else if (posted.has(e.id)) {
        outcome = settle(findPostedEntry(tx, input), "replayed");
      } else if (e.amount !== undefined) {
        outcome = settle(postEntry(tx, { ...input, amount: -e.amount, type: "usage", contra: "usage_revenue" }), "applied");
      } else {
        await Promise.all(pending); // a savepoint starts only after the pipelined statements
        outcome = settle(tx.savepoint((sp) => postPricedDebit(sp, { ...input, meter: e.meter!, quantity: e.quantity! })), "applied");
      }
      first.set(e.id, first.get(e.id) ?? outcome);
      pending.push(outcome);
    }
    return Promise.all(pending);
  });
}
