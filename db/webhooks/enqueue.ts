import type { Queryable } from "../client";
import { newId } from "../ids";
import { ALL_EVENTS, type WebhookEventType } from "./event-types";

/** The graphile-worker task that sends one delivery (workers/deliver-webhook.ts). */
export const DELIVER_WEBHOOK_TASK = "deliver_webhook";

/**
 * Attempts per delivery: 20. graphile-worker waits exp(min(attempt, 10)) s between
 * attempts (its fail_job), so the last one comes about 2.7 days after the first, close
 * to Stripe's "up to three days" for undelivered webhook events.
 */
export const WEBHOOK_MAX_ATTEMPTS = 20;

/** An event about one account (null only for an operator endpoint's test event), as endpoints receive it. */
export interface WebhookEvent {
  accountId: string | null;
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/**
 * Inside the transaction of the change it reports (transactional outbox, shared/DESIGN.md):
 * creates one delivery per endpoint subscribed to `event.type` (the account's own endpoints
 * and the operator's platform-wide ones, not those turned off) and adds its deliver_webhook
 * job, in one statement. With no subscribed endpoint it writes nothing. The endpoint rows are locked FOR KEY SHARE:
 * an endpoint deleted concurrently is waited for and skipped, never a foreign key error
 * that would roll back the money transaction. The body (Standard Webhooks' shape):
 * `{"id": "evt_...", "type": "...", "timestamp": ISO 8601, "data": {"accountId": ..., ...}}`.
 * `onlyEndpointId` sends it to that endpoint alone, subscribed or not (test events; the
 * caller has checked the endpoint is the caller's).
 * @returns the event id and how many deliveries were enqueued
 */
export async function enqueueWebhookEvent(
  tx: Queryable,
  event: WebhookEvent,
  onlyEndpointId?: string,
): Promise<{ eventId: string; deliveries: number }> {
  const eventId = newId("evt");
  const payload = JSON.stringify({
    id: eventId,
    type: event.type,
    timestamp: new Date().toISOString(),
    data: { accountId: event.accountId, ...event.data },
  });
  const rows = await tx`
    WITH d AS (
      INSERT INTO webhook_deliveries (endpoint_id, event_id, account_id, event_type, payload)
      SELECT e.id, ${eventId}, ${event.accountId}, ${event.type}, ${payload}
        FROM webhook_endpoints e
       WHERE CASE WHEN ${onlyEndpointId ?? null}::text IS NULL
                  THEN (e.account_id = ${event.accountId} OR e.account_id IS NULL) AND e.disabled_at IS NULL
                       AND (${event.type} = ANY (e.enabled_events) OR ${ALL_EVENTS} = ANY (e.enabled_events))
                  ELSE e.id = ${onlyEndpointId ?? null} END
         FOR KEY SHARE OF e
      RETURNING endpoint_id, event_id
    )
    SELECT ${addDeliveryJob(tx)} FROM d`;
  return { eventId, deliveries: rows.length };
}

/**
 * Sends a settled delivery (succeeded or failed) again, with the same event id and body:
 * back to `pending` with a new deliver_webhook job (WEBHOOK_MAX_ATTEMPTS more attempts);
 * its attempt log continues. A delivery still pending is left alone.
 * @returns whether it was queued again (false: not found, or still pending)
 */
export async function redeliverWebhook(tx: Queryable, key: { endpointId: string; eventId: string }): Promise<boolean> {
  const rows = await tx`
    WITH d AS (
      UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = NULL, delivered_at = NULL
       WHERE endpoint_id = ${key.endpointId} AND event_id = ${key.eventId} AND status <> 'pending'
      RETURNING endpoint_id, event_id
    )
    SELECT ${addDeliveryJob(tx)} FROM d`;
  return rows.length > 0;
}

/** The deliver_webhook job of each row with endpoint_id and event_id, as an SQL fragment. */
const addDeliveryJob = (q: Queryable) => q`
  graphile_worker.add_job(${DELIVER_WEBHOOK_TASK}, json_build_object('endpointId', endpoint_id, 'eventId', event_id),
                          max_attempts := ${WEBHOOK_MAX_ATTEMPTS}::int)`;
