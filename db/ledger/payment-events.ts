import type { Queryable } from "../client";

/**
 * Provider webhook events already processed, by the provider's event id
 * (shared/DESIGN.md, "Idempotency": Stripe events are de-duplicated by event id).
 * An event is recorded only after it was applied, so a failed attempt stays
 * unrecorded and the provider's retry applies it; applying twice is harmless
 * because settlement is keyed on the top-up (settle-topup.ts).
 */

/** True when the event `eventId` was already processed. */
export async function isPaymentEventRecorded(q: Queryable, eventId: string): Promise<boolean> {
  const rows = await q`SELECT 1 FROM payment_events WHERE id = ${eventId}`;
  return rows.length > 0;
}

/** Records a processed event (`INSERT ... ON CONFLICT DO NOTHING`). @returns true when this call recorded it. */
export async function recordPaymentEvent(
  q: Queryable,
  event: { id: string; provider: string; type: string },
): Promise<boolean> {
  const rows = await q`
    INSERT INTO payment_events (id, provider, type) VALUES (${event.id}, ${event.provider}, ${event.type})
    ON CONFLICT (id) DO NOTHING RETURNING id`;
  return rows.length > 0;
}
