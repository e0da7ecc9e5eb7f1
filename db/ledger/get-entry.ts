import type { Queryable } from "../client";
import { toLedgerEntry, type LedgerEntryRow } from "./entry-row";
import type { LedgerEntry } from "./types";

/** The top-up a `topup` entry settled: its kind and the saved card charged (null for a hosted checkout or a removed card). */
export interface EntryTopup {
  id: string;
  kind: "checkout" | "saved_card" | "auto";
  status: string;
  amount: number;
  card: { brand: string; last4: string } | null;
  createdAt: string;
}

/** The hold a `capture` entry captured: reserved `amount`, `capturedAmount` (minor units), when it was placed. */
export interface EntryHold {
  id: string;
  amount: number;
  capturedAmount: number | null;
  description: string | null;
  createdAt: string;
  expiresAt: string;
}

/** One ledger entry with what it came from (GET /transactions/{id}). */
export interface EntryDetails extends LedgerEntry {
  topup: EntryTopup | null;
  hold: EntryHold | null;
}

/**
 * One entry of `accountId` with its top-up (kind, card) and the hold it captured, in one
 * query by primary and unique keys. Another account's entry is null, as
 * an unknown id is (the route answers 404 for both).
 */
export async function getEntryDetails(q: Queryable, accountId: string, id: string): Promise<EntryDetails | null> {
  const [row] = await q<
    (LedgerEntryRow & {
      topup_id: string | null;
      topup_kind: EntryTopup["kind"] | null;
      topup_status: string | null;
      topup_amount: number | null;
      topup_created_at: Date | null;
      card_brand: string | null;
      card_last4: string | null;
      hold_id: string | null;
      hold_amount: number | null;
      hold_captured_amount: number | null;
      hold_description: string | null;
      hold_created_at: Date | null;
      hold_expires_at: Date | null;
    })[]
  >`
    SELECT e.id, e.account_id, e.type, e.amount, e.balance_after, e.sequence, e.currency, e.idempotency_key,
           e.external_ref, e.description, e.metadata, e.meter, e.quantity, e.unit_price, e.created_at,
           t.id AS topup_id, t.kind AS topup_kind, t.status AS topup_status, t.amount AS topup_amount,
           t.created_at AS topup_created_at, pm.brand AS card_brand, pm.last4 AS card_last4,
           h.id AS hold_id, h.amount AS hold_amount, h.captured_amount AS hold_captured_amount,
           h.description AS hold_description, h.created_at AS hold_created_at, h.expires_at AS hold_expires_at
      FROM ledger_entries e
      -- Through the unique keys: a top-up's entry carries its provider payment id as external_ref
      -- (settle-topup.ts), a capture's carries capture_<hold id> (capture-hold.ts).
      LEFT JOIN topups t ON t.provider_payment_id = e.external_ref AND t.ledger_entry_id = e.id
      LEFT JOIN payment_methods pm ON pm.id = t.payment_method_id AND pm.account_id = e.account_id
      LEFT JOIN holds h ON e.external_ref LIKE 'capture\\_%' AND h.id = substr(e.external_ref, 9) AND h.capture_entry_id = e.id
     WHERE e.id = ${id} AND e.account_id = ${accountId}`;
  if (!row) return null;
  return {
    ...toLedgerEntry(row),
    topup: row.topup_id
      ? {
          id: row.topup_id,
          kind: row.topup_kind!,
          status: row.topup_status!,
          amount: row.topup_amount!,
          card: row.card_brand ? { brand: row.card_brand, last4: row.card_last4! } : null,
          createdAt: row.topup_created_at!.toISOString(),
        }
      : null,
    hold: row.hold_id
      ? {
          id: row.hold_id,
          amount: row.hold_amount!,
          capturedAmount: row.hold_captured_amount,
          description: row.hold_description,
          createdAt: row.hold_created_at!.toISOString(),
          expiresAt: row.hold_expires_at!.toISOString(),
        }
      : null,
  };
}
