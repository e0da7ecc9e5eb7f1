import { postEntry, toBalanceEvent, type PostEntryInput } from "./post-entry";
import type { LedgerContext, PostedEntry } from "./types";

export interface DebitInput {
  accountId: string;
  /** Minor units, > 0 (validated by the caller against db/money.ts bounds). */
  amount: number;
  idempotencyKey?: string | null;
  description?: string | null;
  metadata?: Record<string, string> | null;
  /** Reject with CurrencyMismatchError unless the account is in this currency. */
  currency?: string | null;
}

/**
 * Debits usage from a customer account: one statement, one round trip, row-locked
 * (see postEntry). Idempotent on (accountId, idempotencyKey). Publishes the new
 * balance after commit.
 * @throws InsufficientFundsError when balance - held - amount < -overdraftLimit
 * @throws AccountSuspendedError, AccountClosedError, AccountNotFoundError, CurrencyMismatchError
 */
export async function debit(ctx: LedgerContext, input: DebitInput): Promise<PostedEntry> {
  const posted = await postEntry(ctx.sql, debitPosting(input));
  if (!posted.replayed) ctx.events.publish(toBalanceEvent(posted));
  return posted;
}

/** The ledger posting of a usage debit: `amount` taken from the account into usage revenue. */
export function debitPosting(input: DebitInput): PostEntryInput {
  return {
    accountId: input.accountId,
    amount: -input.amount,
    type: "usage",
    contra: "usage_revenue",
    idempotencyKey: input.idempotencyKey,
    description: input.description,
    metadata: input.metadata,
    expectedCurrency: input.currency,
  };
}
