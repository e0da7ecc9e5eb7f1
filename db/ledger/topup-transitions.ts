import type { Queryable } from "../client";
import { toTopup, type Topup, type TopupRow } from "./topup-record";

/**
 * State changes of a top-up other than settlement (settle-topup.ts credits it).
 * Each only touches a `pending` top-up, so a late or repeated call is a no-op and
 * can never undo a settlement.
 */

/** Saves the provider's checkout session id and URL on a top-up. Returns the updated top-up. */
export async function attachCheckoutSession(
  q: Queryable,
  topupId: string,
  session: { id: string; url: string | null },
): Promise<Topup> {
  const [row] = await q<TopupRow[]>`
    UPDATE topups SET provider_session_id = ${session.id}, checkout_url = ${session.url}, updated_at = now()
     WHERE id = ${topupId} RETURNING *`;
  if (!row) throw new Error(`top-up ${topupId} vanished while attaching its checkout session`);
  return toTopup(row);
}

/** Marks a pending top-up `failed` with a reason for people. @returns true when it changed. */
export async function failTopup(q: Queryable, topupId: string, reason: string): Promise<boolean> {
  const rows = await q`
    UPDATE topups SET status = 'failed', failure_reason = ${reason}, updated_at = now()
     WHERE id = ${topupId} AND status = 'pending' RETURNING id`;
  return rows.length > 0;
}

/** Marks a pending top-up `expired` (its checkout session expired unpaid). @returns true when it changed. */
export async function expireTopup(q: Queryable, topupId: string): Promise<boolean> {
  const rows = await q`
    UPDATE topups SET status = 'expired', updated_at = now()
     WHERE id = ${topupId} AND status = 'pending' RETURNING id`;
  return rows.length > 0;
}
