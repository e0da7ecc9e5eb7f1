import webpush from "web-push";
import type { Sql } from "../db/client";
import type { PushJob } from "../db/notifications/enqueue";
import { renderPush } from "../server/notifications/messages";
import type { VapidDetails } from "../server/notifications/vapid";
import { postWebhook } from "../server/webhooks/post-webhook";
import type { WebhookTargetPolicy } from "../server/webhooks/targets";

/** Per-request timeout: 10 s, as webhook deliveries. */
const PUSH_TIMEOUT_MS = 10_000;
/** How long the push service keeps a message for an offline browser: 24 h (RFC 8030 TTL, s). */
const PUSH_TTL_S = 24 * 3600;

/** Thrown so that graphile-worker tries the push again later (429, 5xx, no answer). */
export class PushDeliveryFailed extends Error {}

/** What one push did: sent, the subscription expired and was removed, refused for good, or gone before. */
export type PushResult = "sent" | "expired" | "refused" | "gone";

/**
 * The send_push task: encrypts the notification (renderPush) for one browser subscription
 * (RFC 8291 aes128gcm, signed with VAPID, RFC 8292, through web-push's
 * generateRequestDetails) and POSTs it to the subscription's push service with the same
 * SSRF policy as webhook deliveries (`policy`). 2xx: sent. 404 / 410: the subscription
 * expired; it is deleted. Other 4xx: refused for good (logged by the caller, not retried).
 * @throws PushDeliveryFailed on 429, 5xx, a timeout or a connection error (retried)
 */
export async function sendPush(
  sql: Sql,
  vapid: VapidDetails,
  policy: WebhookTargetPolicy,
  publicUrl: string,
  job: PushJob,
): Promise<PushResult> {
  const [sub] = await sql<{ endpoint: string; p256dh: string; auth: string }[]>`
    SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE id = ${job.subscriptionId}`;
  if (!sub) return "gone";
  const request = webpush.generateRequestDetails(
    { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    JSON.stringify(renderPush(job, publicUrl)),
    { vapidDetails: vapid, TTL: PUSH_TTL_S, contentEncoding: "aes128gcm" },
  );
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
  let status: number;
  try {
    ({ status } = await postWebhook(request.endpoint, headers, request.body!, {
      allowPrivate: policy.allowPrivateTargets,
      timeoutMs: PUSH_TIMEOUT_MS,
      keepBytes: 256,
    }));
  } catch (err) {
    throw new PushDeliveryFailed(`push to ${job.subscriptionId}: ${(err as Error).message}`);
  }
  if (status >= 200 && status < 300) {
    await sql`UPDATE push_subscriptions SET last_sent_at = now() WHERE id = ${job.subscriptionId}`;
    return "sent";
  }
  if (status === 404 || status === 410) {
    await sql`DELETE FROM push_subscriptions WHERE id = ${job.subscriptionId}`;
    return "expired";
  }
  if (status === 429 || status >= 500) throw new PushDeliveryFailed(`push to ${job.subscriptionId}: HTTP ${status}`);
  return "refused";
}
