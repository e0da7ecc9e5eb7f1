import type { Queryable } from "../client";
import { AccountNotFoundError } from "./errors";

/** A customer account's money position. Minor units. */
export interface BalanceSnapshot {
  accountId: string;
  currency: string;
  balance: number;
  held: number;
  available: number;
  overdraftLimit: number;
  /** Number of entries posted; the SSE event id of the latest. */
  sequence: number;
  status: "active" | "suspended" | "closed";
  /** Why it is suspended: `operator`, or `non_payment` (lifted by a top-up); null unless suspended. */
  suspendedReason: "operator" | "non_payment" | null;
}

/** Reads the balance row (no lock). @throws AccountNotFoundError */
export async function getBalance(q: Queryable, accountId: string): Promise<BalanceSnapshot> {
  const [a] = await q<{ id: string; currency: string; balance: number; held: number; overdraft_limit: number; sequence: number; status: BalanceSnapshot["status"]; suspended_reason: BalanceSnapshot["suspendedReason"] }[]>`
    SELECT id, currency, balance, held, overdraft_limit, sequence, status, suspended_reason
      FROM accounts WHERE id = ${accountId} AND kind = 'customer'`;
  if (!a) throw new AccountNotFoundError(accountId);
  return {
    accountId: a.id,
    currency: a.currency,
    balance: a.balance,
    held: a.held,
    available: a.balance - a.held,
    overdraftLimit: a.overdraft_limit,
    sequence: a.sequence,
    status: a.status,
    suspendedReason: a.suspended_reason,
  };
}
