import { recordAudit, type AuditBy } from "../audit/record-audit";
import { withTransaction } from "../client";
import { postEntry, toBalanceEvent } from "./post-entry";
import type { LedgerContext, PostedEntry } from "./types";

export interface AdjustmentInput {
  accountId: string;
  /** Signed minor units: > 0 credits the customer, < 0 debits them. Never 0. */
  amount: number;
  /** `adjustment` (a correction, contra `adjustments`) or `promotion` (goodwill, contra `promotions`). */
  type: "adjustment" | "promotion";
  /** Why: shown to the customer as the entry's description in their transactions. */
  reason: string;
  /** The operator's Idempotency-Key (scoped apart from the customer's own keys), if any. */
  idempotencyKey?: string | null;
}

/**
 * An operator's credit or debit of a customer account (issue 11.4): one ledger entry
 * through postEntry (row lock, funds rule, double entry against the `adjustments` or
 * `promotions` system account; a debit needs an active account and available funds
 * within the overdraft, and may cross the auto top-up threshold, like any debit), and one audit row (`account.adjusted`) in
 * the same transaction. Idempotent on the key: a replay returns the first entry and
 * writes no second audit row. Publishes after commit.
 * @throws AccountNotFoundError, AccountClosedError, AccountSuspendedError (debits), InsufficientFundsError
 */
export async function adjustBalance(ctx: LedgerContext, input: AdjustmentInput, by: AuditBy): Promise<PostedEntry> {
  const posted = await withTransaction(ctx.sql, async (tx) => {
    const entry = await postEntry(tx, {
      accountId: input.accountId,
      amount: input.amount,
      type: input.type,
      contra: input.type === "promotion" ? "promotions" : "adjustments",
      idempotencyKey: input.idempotencyKey ? `operator:${input.idempotencyKey}` : null,
      description: input.reason,
    });
    if (!entry.replayed) {
      await recordAudit(tx, {
        ...by,
        action: "account.adjusted",
        targetId: input.accountId,
        before: { balance: entry.balance - input.amount },
        after: { balance: entry.balance, entryId: entry.entry.id, amount: input.amount, type: input.type, reason: input.reason },
      });
    }
    return entry;
  });
  if (!posted.replayed) ctx.events.publish(toBalanceEvent(posted));
  return posted;
}
