/** A hold as the API shows it. Amounts in minor units; timestamps ISO 8601. */
export interface Hold {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  status: "active" | "captured" | "voided" | "expired";
  capturedAmount: number | null;
  description: string | null;
  expiresAt: string;
  createdAt: string;
  releasedAt: string | null;
}

/** A hold with the account's figures right after the change. Minor units. */
export interface HoldChange {
  hold: Hold;
  balance: number;
  held: number;
  available: number;
  /** True when an idempotent replay returned the original hold and nothing changed. */
  replayed: boolean;
}

/** The `holds` columns every hold query selects. */
export interface HoldRow {
  id: string;
  account_id: string;
  amount: number;
  currency: string;
  status: Hold["status"];
  captured_amount: number | null;
  description: string | null;
  expires_at: Date;
  created_at: Date;
  released_at: Date | null;
}

/** Maps a `holds` row to the API shape. */
export function toHold(r: HoldRow): Hold {
  return {
    id: r.id,
    accountId: r.account_id,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    capturedAmount: r.captured_amount,
    description: r.description,
    expiresAt: r.expires_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    releasedAt: r.released_at?.toISOString() ?? null,
  };
}

/** The figures of a hold change: account balance and held as returned by the same statement. */
export function toHoldChange(row: HoldRow & { balance: number; account_held: number }, replayed: boolean): HoldChange {
  return { hold: toHold(row), balance: row.balance, held: row.account_held, available: row.balance - row.account_held, replayed };
}
