import { Webhook } from "standardwebhooks";
import type { Sql } from "../db/client";
import { disableFailingEndpoint } from "../db/webhooks/disable-endpoint";
import { postWebhook } from "../server/webhooks/post-webhook";
import type { WebhookTargetPolicy } from "../server/webhooks/targets";

/** Per-attempt timeout: 10 s (Stripe waits 10 s too; a receiver should answer 2xx first and work later). */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Response body kept per attempt, for the deliveries log: the first 1 KB. */
const RESPONSE_BODY_KEPT = 1024;
/** The `user-agent` of our deliveries. */
const USER_AGENT = "live-balance-webhooks/1";

/**
 * Which attempt of the job this is (graphile-worker's `job.attempts`, 1-based, and
 * `job.max_attempts`): decides the backoff and whether a failure is final. The attempt's
 * number in the delivery log is the delivery's own count, which a redelivery continues.
 */
export interface AttemptNumber {
  attempt: number;
  maxAttempts: number;
}

/** What one attempt did; `retry` true = the job should fail so graphile-worker tries again later. */
export type DeliveryResult =
  | { kind: "gone" }
  | {
      kind: "sent";
      status: "succeeded" | "pending" | "failed";
      statusCode: number | null;
      error: string | null;
      retry: boolean;
    };

/** Thrown by the deliver_webhook task so that graphile-worker schedules the next attempt. */
export class WebhookDeliveryFailed extends Error {}

/**
 * Sends one delivery (db/webhooks/enqueue.ts) to its endpoint: `POST url` with the stored
 * JSON body, signed per Standard Webhooks (https://www.standardwebhooks.com): headers
 * `webhook-id` (the event id, the same on every retry), `webhook-timestamp` (Unix s) and
 * `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the
 * endpoint's secret; during a secret roll's overlap a second, space-separated one with the
 * previous secret, which the spec allows so receivers can switch), via the
 * `standardwebhooks` library. Any 2xx within
 * WEBHOOK_TIMEOUT_MS succeeds; redirects are not followed (a 3xx is a failure); a target
 * the policy forbids is a failed attempt that says so. Records the attempt and the
 * delivery's new state; the last allowed attempt that fails marks the delivery `failed`
 * and may turn the endpoint off (disableFailingEndpoint). A delivery already settled, or
 * whose endpoint was deleted, is `gone`.
 */
export async function deliverWebhook(
  sql: Sql,
  key: { endpointId: string; eventId: string },
  { attempt, maxAttempts }: AttemptNumber,
  policy: WebhookTargetPolicy,
): Promise<DeliveryResult> {
  const [row] = await sql<
    { url: string; secret: string; previous_secret: string | null; payload: string; account_id: string | null }[]
  >`
    SELECT e.url, e.secret, d.payload, e.account_id,
           CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret
      FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.endpoint_id = ${key.endpointId} AND d.event_id = ${key.eventId} AND d.status = 'pending'`;
  if (!row) return { kind: "gone" };

  const sentAt = new Date();
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let responseBody: string | null = null;
  try {
    const res = await postWebhook(
      row.url,
      {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": key.eventId,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": [row.secret, row.previous_secret]
          .filter((secret) => secret !== null)
          .map((secret) => new Webhook(secret).sign(key.eventId, sentAt, row.payload))
          .join(" "),
      },
      row.payload,
      {
        allowPrivate: policy.allowPrivateTargets || row.account_id === null,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
        keepBytes: RESPONSE_BODY_KEPT,
      },
    );
    statusCode = res.status;
    responseBody = res.body;
    if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
  } catch (err) {
    error = describeError(err);
  }
  const durationMs = Math.round(performance.now() - started);
  const ok = error === null;
  const status = ok ? "succeeded" : attempt >= maxAttempts ? "failed" : "pending";
  // graphile-worker's fail_job: next run_at = now + exp(min(attempts, 10)) seconds.
  const nextAttemptAt = status === "pending" ? new Date(Date.now() + Math.exp(Math.min(attempt, 10)) * 1000) : null;
  // One statement: the attempt is recorded only if the delivery still exists and is pending
  // (its endpoint may have been deleted while we were sending).
  await sql`
    WITH d AS (
      UPDATE webhook_deliveries
         SET status = ${status}, attempts = attempts + 1, last_status_code = ${statusCode},
             last_error = ${error}, next_attempt_at = ${nextAttemptAt}, delivered_at = ${ok ? new Date() : null}
       WHERE endpoint_id = ${key.endpointId} AND event_id = ${key.eventId} AND status = 'pending'
      RETURNING endpoint_id, event_id, attempts
    )
    INSERT INTO webhook_delivery_attempts (endpoint_id, event_id, attempt, status_code, error, response_body, duration_ms, attempted_at)
    SELECT endpoint_id, event_id, attempts, ${statusCode}, ${error}, ${responseBody}, ${durationMs}, ${sentAt} FROM d`;
  if (status === "failed") await disableFailingEndpoint(sql, key.endpointId, error!);
  return { kind: "sent", status, statusCode, error, retry: status === "pending" };
}

/** A failed request in words: timeout, refused, DNS, TLS, or a forbidden address. */
function describeError(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { name?: string } };
  if (e.name === "TimeoutError" || e.cause?.name === "TimeoutError")
    return `No response within ${WEBHOOK_TIMEOUT_MS} ms`;
  if (e.message?.includes("is not allowed")) return `Refused: ${e.message}`; // request-filtering-agent
  return e.code ?? e.message ?? String(err);
}
