import type { Sql } from "../client";
import type { Issuer } from "../documents/issuer";

/** A ledger entry as the API shows it. Amounts in minor units; `amount` signed (credit > 0). */
export interface LedgerEntry {
  id: string;
  accountId: string;
  type: "topup" | "usage" | "promotion" | "adjustment" | "refund" | "dispute" | "capture";
  amount: number;
  balanceAfter: number;
  sequence: number;
  currency: string;
  idempotencyKey: string | null;
  externalRef: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  /** Priced usage only (else null): the meter, the quantity and the unit price in force (minor units per unit), exact decimals. */
  meter: string | null;
  quantity: string | null;
  unitPrice: string | null;
  createdAt: string;
}

/**
 * Published after a balance change commits (topic: the account id). `sequence` is
 * the account's entry number (the SSE event id); `committedAtMs` is the ms epoch
 * (fractional: performance.timeOrigin + performance.now(), comparable across processes
 * on one machine) at which the committing process saw the commit, for end-to-end
 * latency measurement.
 */
export interface BalanceEvent {
  accountId: string;
  sequence: number;
  balance: number;
  held: number;
  available: number;
  currency: string;
  entry: LedgerEntry;
  committedAtMs: number;
}

/**
 * A change the customer should see live that is not a ledger entry (no sequence):
 * SSE event name `notification` (auto top-up outcomes), `account` (suspended,
 * reactivated) or `hold` (held amount changed). `type` is the fine-grained name
 * (`auto_topup.succeeded`, `account.suspended`, `hold.created`, ...).
 */
export interface AccountNotice {
  kind: "notice";
  accountId: string;
  event: "notification" | "account" | "hold";
  type: string;
  data: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

/** Where the ledger sends BalanceEvents and AccountNotices after commit (Redis pub/sub or in-process). */
export interface LedgerEventSink {
  publish(event: BalanceEvent): void;
  notify(notice: AccountNotice): void;
}

/**
 * What every money verb needs: the pool, where to publish after commit, and the issuer
 * of the receipts and credit notes that settlements and reversals issue in their
 * transaction (db/documents).
 */
export interface LedgerContext {
  sql: Sql;
  events: LedgerEventSink;
  issuer: Issuer;
}

/** Result of a verb that posted (or, on an idempotent replay, found) one entry. */
export interface PostedEntry {
  entry: LedgerEntry;
  balance: number;
  held: number;
  available: number;
  /** True when the idempotency key had already been used: `entry` is the original one. */
  replayed: boolean;
}
