import type { Queryable } from "../client";

/** A top-up as the API shows it. `amount` in minor units; `currency` upper-case ISO 4217. */
export interface Topup {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed" | "canceled" | "expired";
  /** Payment provider name ("stripe" | "simulated") that holds its checkout session. */
  provider: string;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  checkoutUrl: string | null;
  failureReason: string | null;
  kind: "checkout" | "saved_card" | "auto";
  paymentMethodId: string | null;
  /** Where the customer confirms a charge that needs authentication. */
  actionUrl: string | null;
  createdAt: string;
  settledAt: string | null;
}

/** A `topups` row as postgres.js returns it (`SELECT *`). */
export interface TopupRow {
  id: string;
  account_id: string;
  amount: number;
  currency: string;
  status: Topup["status"];
  provider: string;
  provider_session_id: string | null;
  provider_payment_id: string | null;
  checkout_url: string | null;
  failure_reason: string | null;
  kind: Topup["kind"];
  payment_method_id: string | null;
  action_url: string | null;
  created_at: Date;
  settled_at: Date | null;
}

/** Maps a `topups` row to the API shape (timestamps as ISO 8601 strings). */
export function toTopup(r: TopupRow): Topup {
  return {
    id: r.id,
    accountId: r.account_id,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    provider: r.provider,
    providerSessionId: r.provider_session_id,
    providerPaymentId: r.provider_payment_id,
    checkoutUrl: r.checkout_url,
    failureReason: r.failure_reason,
    kind: r.kind,
    paymentMethodId: r.payment_method_id,
    actionUrl: r.action_url,
    createdAt: r.created_at.toISOString(),
    settledAt: r.settled_at?.toISOString() ?? null,
  };
}

/**
 * Reads one top-up of `accountId` (no lock). Another account's top-up reads as null,
 * so callers answer 404 without revealing that it exists (shared/STYLE.md, unkey).
 */
export async function findTopup(q: Queryable, accountId: string, topupId: string): Promise<Topup | null> {
  const [row] = await q<TopupRow[]>`SELECT * FROM topups WHERE id = ${topupId} AND account_id = ${accountId}`;
  return row ? toTopup(row) : null;
}

/**
 * The account's latest top-ups, newest first, at most `limit`; `kind` narrows them (e.g.
 * "auto": the auto top-up attempts). Other accounts' top-ups are never included.
 */
export async function listTopups(
  q: Queryable,
  accountId: string,
  options: { kind?: Topup["kind"]; limit: number },
): Promise<Topup[]> {
  const rows = await q<TopupRow[]>`
    SELECT * FROM topups
     WHERE account_id = ${accountId} AND (${options.kind ?? null}::text IS NULL OR kind = ${options.kind ?? null})
     ORDER BY created_at DESC, id DESC LIMIT ${options.limit}`;
  return rows.map(toTopup);
}
