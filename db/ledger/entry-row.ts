import type { LedgerEntry } from "./types";

/** Columns selected whenever an entry is read, in the order toLedgerEntry expects. */
export interface LedgerEntryRow {
  id: string;
  account_id: string;
  type: LedgerEntry["type"];
  amount: number;
  balance_after: number;
  sequence: number;
  currency: string;
  idempotency_key: string | null;
  external_ref: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  meter: string | null;
  quantity: string | null;
  unit_price: string | null;
  created_at: Date;
}

/** Maps a ledger_entries row (snake_case) to the API shape. */
export function toLedgerEntry(r: LedgerEntryRow): LedgerEntry {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type,
    amount: r.amount,
    balanceAfter: r.balance_after,
    sequence: r.sequence,
    currency: r.currency,
    idempotencyKey: r.idempotency_key,
    externalRef: r.external_ref,
    description: r.description,
    metadata: r.metadata,
    meter: r.meter,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    createdAt: r.created_at.toISOString(),
  };
}
