import { createRoute, z } from "@hono/zod-openapi";
import { recordAudit, type AuditBy } from "../../../db/audit/record-audit";
import type { Queryable } from "../../../db/client";
import { newId } from "../../../db/ids";
import {
  ENDPOINT_COLUMNS,
  newSigningSecret,
  type EndpointRow,
} from "../../../db/webhooks/edit-endpoint";
import { enqueueWebhookEvent, redeliverWebhook } from "../../../db/webhooks/enqueue";
import { FieldError } from "../../../db/ledger/errors";
import { ApiError } from "../../errors";
import { clientIp } from "../../client-ip";
import { requireSession, sessionOf } from "../../middleware/auth";
import { notFound } from "../../middleware/errors";
import { operatorAuditBy, requireOperator } from "../../middleware/operator";
import { namesPrivateHost } from "../../webhooks/targets";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";
import { editWebhookEndpointRoutes } from "./edit";
import { scopedOperationId, toEndpointDto, type Scope } from "./scope";
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointBody,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
} from "./schemas";

/** Endpoints per account (and for the operator): 16 (Stripe allows 16 per account too). */
export const MAX_WEBHOOK_ENDPOINTS = 16;
/** Deliveries listed per endpoint: the latest 50. */
const DELIVERIES_LISTED = 50;

interface DeliveryRow {
  event_id: string;
  event_type: string;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
  payload: string;
}
const toDeliveryDto = (r: DeliveryRow) => ({
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  deliveredAt: r.delivered_at?.toISOString() ?? null,
  payload: r.payload,
});

const IdParam = z.object({ id: Id });
const DeliveryParam = IdParam.extend({ eventId: Id });

/** Records a change to an endpoint in the audit log, on `tx` (the change's transaction). */
async function auditEndpoint(
  tx: Queryable,
  by: AuditBy,
  action: string,
  targetId: string,
  change: { before: unknown; after: unknown },
): Promise<void> {
  await recordAudit(tx, { ...by, action, targetId, ...change });
}

/**
 * The webhook endpoint routes for one scope: list, create (the secret is in this response
 * only), delete, list recent deliveries, send a test event. Another scope's ids are 404.
 */
function webhookEndpointRoutes(scope: Scope) {
  const path = `${scope.prefix}/webhook-endpoints`;
  const tags = [scope.tag];
  const middleware = scope.auth;
  const operationId = (name: string) => scopedOperationId(scope, name);
  return createRouter()
    .route("/", editWebhookEndpointRoutes(scope))
    .openapi(
      createRoute({
        method: "get",
        path,
        operationId: operationId("listWebhookEndpoints"),
        tags,
        summary: `List ${scope.who} webhook endpoints (secrets are never returned)`,
        middleware,
        responses: {
          200: jsonResponse(z.object({ data: z.array(WebhookEndpointSchema) }), "Endpoints"),
          ...errorResponses,
        },
      }),
      async (c) => {
        const { sql } = c.get("deps").database;
        const rows = await sql<EndpointRow[]>`
          SELECT ${sql(ENDPOINT_COLUMNS)} FROM webhook_endpoints
           WHERE account_id IS NOT DISTINCT FROM ${scope.owner(c)} ORDER BY created_at DESC`;
        return c.json({ data: rows.map(toEndpointDto) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path,
        operationId: operationId("createWebhookEndpoint"),
        tags,
        summary: `Create a webhook endpoint for ${scope.who} events; its signing secret is in this response only`,
        middleware,
        request: jsonBody(CreateWebhookEndpointBody),
        responses: {
          201: jsonResponse(CreatedWebhookEndpoint, "Created"),
          ...errors("limit_exceeded"),
        },
      }),
      async (c) => {
        const body = c.req.valid("json");
        const owner = scope.owner(c);
        if (scope.restricted && !c.get("deps").webhookTargets.allowPrivateTargets && namesPrivateHost(body.url)) {
          const message = "points to a private network address; use a public https URL";
          throw new FieldError({ field: "url", code: "private_address", message });
        }
        const secret = newSigningSecret();
        // The advisory lock serializes creates per owner, so concurrent ones cannot pass the count together.
        const row = await c.get("deps").database.sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtext(${`webhook_endpoints:${owner ?? "operator"}`}))`;
          const [created] = await tx<EndpointRow[]>`
            INSERT INTO webhook_endpoints (id, account_id, url, description, enabled_events, secret)
            SELECT ${newId("we")}, ${owner}, ${body.url}, ${body.description || null}, ${[...new Set(body.enabledEvents)]}, ${secret}
             WHERE (SELECT count(*) FROM webhook_endpoints WHERE account_id IS NOT DISTINCT FROM ${owner}) < ${MAX_WEBHOOK_ENDPOINTS}
            RETURNING ${tx(ENDPOINT_COLUMNS)}`;
          if (created) await auditEndpoint(tx, scope.auditBy(c), "webhook_endpoint.created", created.id, { before: null, after: toEndpointDto(created) });
          return created;
        });
        if (!row)
          throw new ApiError("limit_exceeded", `At most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first.`);
        return c.json({ ...toEndpointDto(row), secret }, 201);
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: `${path}/{id}`,
        operationId: operationId("deleteWebhookEndpoint"),
        tags,
        summary: "Delete a webhook endpoint and its delivery log; pending retries stop",
        middleware,
        request: { params: IdParam },
        responses: { 204: { description: "Deleted" }, ...errorResponses },
      }),
      async (c) => {
        const id = c.req.valid("param").id;
        await c.get("deps").database.sql.begin(async (tx) => {
          const [deleted] = await tx<EndpointRow[]>`
            DELETE FROM webhook_endpoints
             WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${scope.owner(c)} RETURNING ${tx(ENDPOINT_COLUMNS)}`;
          if (!deleted) throw notFound("webhook endpoint");
          await auditEndpoint(tx, scope.auditBy(c), "webhook_endpoint.deleted", id, { before: toEndpointDto(deleted), after: null });
        });
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: `${path}/{id}/enable`,
        operationId: operationId("enableWebhookEndpoint"),
        tags,
        summary: "Turn on an endpoint that was turned off after failing deliveries; new events reach it again",
        middleware,
        request: { params: IdParam },
        responses: { 200: jsonResponse(WebhookEndpointSchema, "Turned on"), ...errorResponses },
      }),
      async (c) => {
        const id = c.req.valid("param").id;
        const row = await c.get("deps").database.sql.begin(async (tx) => {
          const [old] = await tx<EndpointRow[]>`
            SELECT ${tx(ENDPOINT_COLUMNS)} FROM webhook_endpoints
             WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${scope.owner(c)} FOR UPDATE`;
          if (!old) throw notFound("webhook endpoint");
          const [updated] = await tx<EndpointRow[]>`
            UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE id = ${id}
            RETURNING ${tx(ENDPOINT_COLUMNS)}`;
          await auditEndpoint(tx, scope.auditBy(c), "webhook_endpoint.enabled", id, { before: toEndpointDto(old), after: toEndpointDto(updated!) });
          return updated!;
        });
        return c.json(toEndpointDto(row), 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: `${path}/{id}/deliveries`,
        operationId: operationId("listWebhookDeliveries"),
        tags,
        summary: `The endpoint's latest ${DELIVERIES_LISTED} deliveries, newest first, with their outcome`,
        middleware,
        request: { params: IdParam },
        responses: {
          200: jsonResponse(z.object({ data: z.array(WebhookDeliverySchema) }), "Deliveries"),
          ...errorResponses,
        },
      }),
      async (c) => {
        const { sql } = c.get("deps").database;
        const id = c.req.valid("param").id;
        const [endpoint] = await sql`
          SELECT 1 FROM webhook_endpoints WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${scope.owner(c)}`;
        if (!endpoint) throw notFound("webhook endpoint");
        const rows = await sql<DeliveryRow[]>`
          SELECT event_id, event_type, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at, payload
            FROM webhook_deliveries WHERE endpoint_id = ${id} ORDER BY created_at DESC, event_id DESC LIMIT ${DELIVERIES_LISTED}`;
        return c.json({ data: rows.map(toDeliveryDto) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: `${path}/{id}/test`,
        operationId: operationId("testWebhookEndpoint"),
        tags,
        summary: "Send a `webhook.test` event to this endpoint (delivered and retried like any other)",
        middleware,
        request: { params: IdParam },
        responses: { 202: jsonResponse(z.object({ eventId: z.string() }), "Enqueued"), ...errorResponses },
      }),
      async (c) => {
        const owner = scope.owner(c);
        const id = c.req.valid("param").id;
        const eventId = await c.get("deps").database.sql.begin(async (tx) => {
          const [endpoint] = await tx`
            SELECT 1 FROM webhook_endpoints WHERE id = ${id} AND account_id IS NOT DISTINCT FROM ${owner}`;
          if (!endpoint) throw notFound("webhook endpoint");
          const sent = await enqueueWebhookEvent(
            tx,
            { accountId: owner, type: "webhook.test", data: { endpointId: id } },
            id,
          );
          return sent.eventId;
        });
        return c.json({ eventId }, 202);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: `${path}/{id}/deliveries/{eventId}/redeliver`,
        operationId: operationId("redeliverWebhookEvent"),
        tags,
        summary: "Send a delivered or failed event again (same event id and body; 409 while it is still pending)",
        middleware,
        request: { params: DeliveryParam },
        responses: {
          202: jsonResponse(z.object({ eventId: z.string() }), "Queued again"),
          ...errors("delivery_pending"),
          ...errorResponses,
        },
      }),
      async (c) => {
        const { id, eventId } = c.req.valid("param");
        const owner = scope.owner(c);
        await c.get("deps").database.sql.begin(async (tx) => {
          const [delivery] = await tx<{ status: string }[]>`
            SELECT d.status FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE d.endpoint_id = ${id} AND d.event_id = ${eventId} AND e.account_id IS NOT DISTINCT FROM ${owner}
             FOR UPDATE OF d`;
          if (!delivery) throw notFound("webhook delivery");
          if (!(await redeliverWebhook(tx, { endpointId: id, eventId }))) {
            throw new ApiError(
              "delivery_pending",
              "This event is still being delivered; its retries continue on their own.",
            );
          }
        });
        return c.json({ eventId }, 202);
      },
    );
}

/** A customer's own endpoints, managed in the portal by owners and admins. */
export const accountWebhookEndpointRoutes = webhookEndpointRoutes({
  prefix: "",
  tag: "webhook-endpoints",
  auth: requireSession(["owner", "admin"]),
  owner: (c) => c.get("accountId"),
  who: "the account's",
  restricted: true,
  operationPrefix: "",
  auditBy: (c) => ({ actor: `user:${sessionOf(c).userId}`, requestId: c.get("requestId"), ip: clientIp(c, c.get("deps").env.TRUST_PROXY === "1") }),
});

/** The operator's endpoints, which receive every account's events (OPERATOR_API_KEY). */
export const operatorWebhookEndpointRoutes = webhookEndpointRoutes({
  prefix: "/operator",
  tag: "operator",
  auth: requireOperator(),
  owner: () => null,
  who: "every account's (platform-wide)",
  restricted: false,
  operationPrefix: "operator",
  auditBy: operatorAuditBy,
});
