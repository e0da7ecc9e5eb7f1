import type { Sql } from "../client";
import { enqueueNotifications } from "../notifications/enqueue";

/**
 * Days without one successful delivery after which an account's endpoint whose delivery
 * just failed for good is turned off: 3 (Stripe disables an endpoint that keeps failing
 * for days, and emails the account). A delivery fails for good after 20 attempts over
 * about 2.7 days (db/webhooks/enqueue.ts WEBHOOK_MAX_ATTEMPTS).
 */
export const DISABLE_AFTER_DAYS = 3;

/**
 * Called when a delivery to `endpointId` failed for good: turns the endpoint off when it is
 * an account's (the operator's platform-wide endpoints are never turned off) and had no
 * successful delivery for DISABLE_AFTER_DAYS, and notifies the account
 * (`webhook_endpoint.disabled`: email and push to its people, webhook to its other
 * subscribed endpoints) in the same transaction. An endpoint already off stays as it is.
 * @returns whether it was turned off now
 */
export async function disableFailingEndpoint(sql: Sql, endpointId: string, lastError: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const reason = `Turned off: no delivery succeeded for ${DISABLE_AFTER_DAYS} days (last: ${lastError}).`;
    const [endpoint] = await tx<{ account_id: string; url: string }[]>`
      UPDATE webhook_endpoints e SET disabled_at = now(), disabled_reason = ${reason}
       WHERE e.id = ${endpointId} AND e.account_id IS NOT NULL AND e.disabled_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                          WHERE d.endpoint_id = e.id AND d.status = 'succeeded'
                            AND d.delivered_at > now() - make_interval(days => ${DISABLE_AFTER_DAYS}))
      RETURNING account_id, url`;
    if (!endpoint) return false;
    await enqueueNotifications(tx, {
      accountId: endpoint.account_id,
      type: "webhook_endpoint.disabled",
      data: { endpointId, url: endpoint.url, reason },
    });
    return true;
  });
}
