import type { LedgerContext, PostedEntry } from "../../db/ledger/types";
import type { DebitCoalescer } from "./coalesce-debits";
import { postDebitsTogether, type PendingDebit } from "./post-debits";

/** Most debits in one group: one statement's unnest arrays stay small. */
export const MAX_GROUP_DEBITS = 256;

/**
 * Group commit across accounts (issue 13.3): debits arriving within `waitMs` of the first
 * one (at most MAX_GROUP_DEBITS) are posted together by ONE statement (postDebitsTogether:
 * one round trip and one commit for the group, every account row locked in id order, each
 * debit its own entry, sequence, idempotency key and answer, a debit refused by a ledger
 * rule (402, suspended, currency, ...) rejected alone while the others commit). An
 * account's debits in one window post together too, unless one of them has an idempotency
 * key: that account's second and later debits then go through `single` (the per-account
 * coalescer, which queues them on the row lock). If the group must be posted debit by debit
 * (a commit hook failed, or a concurrent first posting of one of its keys), each goes
 * through `single`, which answers a replay. A debit alone in its window, and a window
 * whose debits all hit one account, go through `single` (it waits in Node instead of on
 * the row lock, and posts that account's queue with one statement as well).
 * @param waitMs longest a debit waits for others, ms (> 0)
 */
export function createGroupCommitter(ctx: LedgerContext, single: DebitCoalescer, waitMs: number): DebitCoalescer {
  let open: PendingDebit[] | null = null;

  const postAlone = (p: PendingDebit) => single.debit(p.input, p.commit).then(p.resolve, p.reject);

  const postGroup = async (window: PendingDebit[]) => {
    const byAccount = new Map<string, PendingDebit[]>();
    for (const p of window) byAccount.set(p.input.accountId, [...(byAccount.get(p.input.accountId) ?? []), p]);
    if (byAccount.size === 1) return Promise.all(window.map(postAlone)); // one account: the coalescer's way
    const group: PendingDebit[] = [];
    for (const debits of byAccount.values()) {
      const together = debits.length === 1 || !debits.some((p) => p.input.idempotencyKey);
      group.push(...(together ? debits : debits.slice(0, 1)));
      if (!together) debits.slice(1).forEach(postAlone); // they queue on the row lock behind the group
    }
    if (!(await postDebitsTogether(ctx, group))) for (const p of group) await postAlone(p); // nothing was posted
  };

  /** A new open window, posted when it ends unless it filled up before. */
  const openWindow = (): PendingDebit[] => {
    const window: PendingDebit[] = [];
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
