import { randomBytes } from "node:crypto";
import { recordAudit, type AuditBy } from "../audit/record-audit";
import type { Queryable, Sql } from "../client";

/** The graphile-worker task that drops a rolled-over secret once its overlap is over. */
export const DROP_PREVIOUS_WEBHOOK_SECRET_TASK = "drop_previous_webhook_secret";

/**
 * Default overlap after a secret roll: 24 hours, in which deliveries carry a signature with
 * the old and the new secret (Stripe's "roll secret" offers up to 24 hours of overlap too).
 */
export const DEFAULT_SECRET_OVERLAP_HOURS = 24;
/** Longest overlap a roll may ask for: 7 days (168 hours); an old secret must not live on. */
export const MAX_SECRET_OVERLAP_HOURS = 168;

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** The endpoint columns the API shows (never the secrets). */
export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  enabled_events: string[];
  created_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  previous_secret_expires_at: Date | null;
}

/** The columns EndpointRow holds (`${sql(ENDPOINT_COLUMNS)}` in a query). */
export const ENDPOINT_COLUMNS = [
  "id",
  "url",
  "description",
  "enabled_events",
  "created_at",
  "disabled_at",
  "disabled_reason",
  "previous_secret_expires_at",
];

/** Who makes an audited change: actor (`user:<id>`, `api_key`) and the request id. */
/** An endpoint's fields as the audit log records them (no secrets). */
const audited = (r: EndpointRow) => ({ url: r.url, description: r.description, enabledEvents: r.enabled_events });

/**
 * Changes an endpoint's URL, description and/or subscribed events (only the fields given;
 * description null or "" clears it). `owner` is the account id, or null for the operator's
 * endpoints: another owner's endpoint is not found. Audited (`webhook_endpoint.updated`,
 * before and after) in the same transaction; deliveries already queued keep their target
 * endpoint and go to the new URL from their next attempt.
 * @returns the updated endpoint, or null when it is not the owner's
 */
export async function updateWebhookEndpoint(
  sql: Sql,
  owner: string | null,
  id: string,
  patch: { url?: string; description?: string | null; enabledEvents?: string[] },
  by: AuditBy,
): Promise<EndpointRow | null> {
  return sql.begin(async (tx) => {
    const [before] = await tx<EndpointRow[]>`
      SELECT ${tx(ENDPOINT_COLUMNS)} FROM webhook_endpoints
       WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${owner} FOR UPDATE`;
    if (!before) return null;
    const description = patch.description === undefined ? before.description : patch.description || null;
    const events = patch.enabledEvents ? [...new Set(patch.enabledEvents)] : before.enabled_events;
    const [after] = await tx<EndpointRow[]>`
      UPDATE webhook_endpoints SET url = ${patch.url ?? before.url}, description = ${description}, enabled_events = ${events}
       WHERE id = ${id} RETURNING ${tx(ENDPOINT_COLUMNS)}`;
    await recordAudit(tx, {
      ...by,
      action: "webhook_endpoint.updated",
      targetId: id,
      before: audited(before),
      after: audited(after!),
    });
    return after!;
  });
}

/**
 * Rolls an endpoint's signing secret: a new one signs from now on, and the current one
 * keeps signing next to it for `overlapHours` (0 = dropped at once), so a receiver that
 * verifies with either secret accepts every delivery while it switches (Standard Webhooks:
 * `webhook-signature` holds space-separated signatures). A secret still in an earlier
 * overlap is replaced. A drop_previous_webhook_secret job, run at the overlap's end in the
 * same transaction, clears the old secret; deliveries stop using it at that moment anyway
 * (workers/deliver-webhook.ts). Audited (`webhook_endpoint.secret_rolled`, no secrets).
 * @returns the endpoint and its new secret (shown once), or null when not the owner's
 */
export async function rollWebhookSecret(
  sql: Sql,
  owner: string | null,
  id: string,
  overlapHours: number,
  by: AuditBy,
): Promise<{ endpoint: EndpointRow; secret: string } | null> {
  const secret = newSigningSecret();
  return sql.begin(async (tx) => {
    const [endpoint] = await tx<EndpointRow[]>`
      UPDATE webhook_endpoints
         SET previous_secret = CASE WHEN ${overlapHours}::int > 0 THEN secret END,
             previous_secret_expires_at = CASE WHEN ${overlapHours}::int > 0
                                               THEN now() + make_interval(hours => ${overlapHours}::int) END,
             secret = ${secret}
       WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${owner}
      RETURNING ${tx(ENDPOINT_COLUMNS)}`;
    if (!endpoint) return null;
    if (endpoint.previous_secret_expires_at) await scheduleDrop(tx, id, endpoint.previous_secret_expires_at);
    await recordAudit(tx, {
      ...by,
      action: "webhook_endpoint.secret_rolled",
      targetId: id,
      before: null,
      after: { overlapHours, previousSecretExpiresAt: endpoint.previous_secret_expires_at?.toISOString() ?? null },
    });
    return { endpoint, secret };
  });
}

/** Enqueues the drop of `endpointId`'s previous secret at `runAt` (one job per endpoint: a new roll reschedules it). */
async function scheduleDrop(tx: Queryable, endpointId: string, runAt: Date): Promise<void> {
  await tx`
    SELECT graphile_worker.add_job(${DROP_PREVIOUS_WEBHOOK_SECRET_TASK}, json_build_object('endpointId', ${endpointId}::text),
                                   run_at := ${runAt}, job_key := ${`${DROP_PREVIOUS_WEBHOOK_SECRET_TASK}:${endpointId}`})`;
}

/**
 * Clears an endpoint's previous secret once its overlap is over (the drop job); one still
 * in a newer overlap (rolled again since) is left alone.
 * @returns whether a secret was dropped
 */
export async function dropPreviousWebhookSecret(sql: Sql, endpointId: string): Promise<boolean> {
  const rows = await sql`
    UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_expires_at = NULL
     WHERE id = ${endpointId} AND previous_secret_expires_at <= now() RETURNING id`;
  return rows.length > 0;
}
