import { postEntry, toBalanceEvent } from "./post-entry";
import type { SystemAccountCode } from "./system-accounts";
import type { LedgerContext, LedgerEntry, PostedEntry } from "./types";

export interface CreditInput {
  accountId: string;
  /** Minor units, > 0. */
  amount: number;
  type: Extract<LedgerEntry["type"], "topup" | "promotion" | "adjustment" | "refund">;
  contra: SystemAccountCode;
  idempotencyKey?: string | null;
  externalRef?: string | null;
  description?: string | null;
  metadata?: Record<string, string> | null;
}

/**
 * Credits a customer account (active or suspended) in one row-locked statement.
 * Idempotent on (accountId, idempotencyKey) and on externalRef. Publishes after commit.
 * @throws AccountClosedError, AccountNotFoundError
 */
export async function credit(ctx: LedgerContext, input: CreditInput): Promise<PostedEntry> {
  const posted = await postEntry(ctx.sql, input);
  if (!posted.replayed) ctx.events.publish(toBalanceEvent(posted));
  return posted;
}
