import { debitPosting } from "../../db/ledger/debit";
import { isUniqueViolation, postEntries, toBalanceEvent, type PostingOutcome } from "../../db/ledger/post-entry";
import { ledgerTransaction } from "../../db/ledger/transaction";
import type { LedgerContext, PostedEntry } from "../../db/ledger/types";
import type { CommitHook, DebitCoalescer } from "./coalesce-debits";
import type { DebitInput } from "../../db/ledger/debit";

interface Pending {
  input: DebitInput;
  commit?: CommitHook;
  resolve(posted: PostedEntry): void;
  reject(err: unknown): void;
}

/** Most debits in one group: one statement's unnest arrays stay small (MAX_DEBITS_PER_BATCH-like bound). */
export const MAX_GROUP_DEBITS = 256;

/** Thrown inside a group's transaction to roll it back when a commit hook failed. */
class GroupAborted extends Error {}

/**
 * Group commit across accounts (issue 13.3): debits arriving within `waitMs` of the first
 * one (at most MAX_GROUP_DEBITS) are posted together by ONE statement (postEntries,
 * db/ledger/post-entry.ts): one round trip and one commit for the group, every account row
 * locked in id order, each debit its own entry, sequence, idempotency key and answer, a
 * debit refused by a ledger rule (402, suspended, currency, ...) rejected alone while the
 * others commit. The statement takes one debit per account: a window's further debits on
 * an account already in it go through `single` (the per-account coalescer, which queues
 * them on that account's row lock). When any debit carries a commit hook (its stored
 * Idempotency-Key response), the statement and the hooks run in one transaction; if a hook
 * fails, the group is rolled back and each debit is posted alone through `single`. A
 * concurrent first posting of the same idempotency key (unique violation: the statement
 * changed nothing) also sends each debit through `single`, which answers the replay. Any
 * other failure of the statement rejects the whole group (outcome unknown, as for a single
 * debit). BalanceEvents are published after the commit. A debit alone in its window, and a
 * window whose debits all hit one account, go through `single`.
 * @param waitMs longest a debit waits for others, ms (> 0)
 */
export function createGroupCommitter(ctx: LedgerContext, single: DebitCoalescer, waitMs: number): DebitCoalescer {
  let open: Pending[] | null = null;

  const postAlone = (p: Pending) => single.debit(p.input, p.commit).then(p.resolve, p.reject);

  /** The group's statement, with its commit hooks in one transaction when it has any; events published after commit. */
  const post = async (group: Pending[]): Promise<PostingOutcome[]> => {
    const postings = group.map((p) => debitPosting(p.input));
    if (!group.some((p) => p.commit)) {
      const outcomes = await postEntries(ctx.sql, postings); // one statement: its own transaction
      for (const o of outcomes) if (o.status === "applied") ctx.events.publish(toBalanceEvent(o.posted));
      return outcomes;
    }
    return ledgerTransaction(ctx, async (t) => {
      const outcomes = await postEntries(t.tx, postings);
      const hooks = outcomes.map((o, i) => (o.status === "rejected" ? undefined : group[i]!.commit?.(t.tx, o.posted)));
      const settled = await Promise.allSettled(hooks);
      if (settled.some((s) => s.status === "rejected")) throw new GroupAborted();
      for (const o of outcomes) if (o.status === "applied") t.events.publish(toBalanceEvent(o.posted));
      return outcomes;
    });
  };

  const postGroup = async (window: Pending[]) => {
    const group: Pending[] = [];
    const later: Pending[] = [];
    const seen = new Set<string>();
    for (const p of window) {
      if (seen.has(p.input.accountId)) later.push(p);
      else {
        seen.add(p.input.accountId);
        group.push(p);
      }
    }
    if (group.length === 1) return Promise.all(window.map(postAlone)); // one account: the coalescer's way
    later.forEach(postAlone); // they queue on their account's row lock behind the group
    let outcomes: PostingOutcome[];
    try {
      outcomes = await post(group);
    } catch (err) {
      if (!(err instanceof GroupAborted) && !isUniqueViolation(err)) return group.forEach((p) => p.reject(err));
      for (const p of group) await postAlone(p); // nothing was posted
      return;
    }
    outcomes.forEach((o, i) => {
      const p = group[i]!;
      if (o.status === "rejected") p.reject(o.error);
      else p.resolve(o.posted);
    });
  };

  /** A new open window, posted when it ends unless it filled up before. */
  const openWindow = (): Pending[] => {
    const window: Pending[] = [];
    setTimeout(() => {
      if (open !== window) return; // posted already, full
      open = null;
      void postGroup(window);
    }, waitMs);
    return window;
  };

  return {
    debit(input, commit) {
      return new Promise<PostedEntry>((resolve, reject) => {
        open ??= openWindow();
        open.push({ input, commit, resolve, reject });
        if (open.length >= MAX_GROUP_DEBITS) {
          const full = open;
          open = null;
          void postGroup(full);
        }
      });
    },
  };
}
