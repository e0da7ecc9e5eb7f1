import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../../db/webhooks/event-types";
import type { AppEnv } from "../context";
import { SHARED_HEADERS } from "./route-docs";

/** What each outgoing webhook event reports; `data` always has `accountId` (null only in an operator's test event). */
const WEBHOOK_EVENTS: Record<(typeof WEBHOOK_EVENT_TYPES)[number] | "webhook.test", string> = {
  "account.suspended": "An operator or the non-payment rule suspended the account (data.reason: operator | non_payment).",
  "account.reactivated": "The account is active again (data.reason: operator, or paid after a non-payment suspension).",
  "topup.succeeded": "A top-up was paid and credited (amounts in minor units).",
  "topup.refunded": "An operator refund of a top-up went through at the provider.",
  "topup.disputed": "The card holder disputed a top-up; its amount was taken back from the balance.",
  "topup.dispute_won": "A dispute was decided for us; the amount was credited again.",
  "auto_topup.succeeded": "An automatic top-up was charged and credited.",
  "auto_topup.failed": "An automatic top-up charge failed (data.reason).",
  "auto_topup.requires_action": "An automatic top-up needs the customer to authenticate (data.actionUrl).",
  "auto_topup.disabled": "Auto top-up was turned off after repeated failures (data.reason).",
  "webhook_endpoint.disabled": "An endpoint was turned off after days of failed deliveries (data.endpointId, data.url, data.reason).",
  "balance.low": "The available balance fell below one of the account's balance alert thresholds (data.threshold, data.available, minor units).",
  "webhook.test": "Sent only by POST .../webhook-endpoints/{id}/test (data.endpointId).",
};

const webhookHeaders = z.object({
  "webhook-id": z.string().openapi({ description: "The event id (`evt_...`): the same on every retry; de-duplicate by it." }),
  "webhook-timestamp": z.string().openapi({ description: "Unix seconds of this attempt." }),
  "webhook-signature": z
    .string()
    .openapi({ description: "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the endpoint's secret (Standard Webhooks)." }),
});

/** One outgoing event's body (db/webhooks/enqueue.ts). */
const webhookBody = (type: string) =>
  z.object({
    id: z.string().openapi({ example: "evt_01jd3..." }),
    type: z.literal(type),
    timestamp: z.string().openapi({ format: "date-time" }),
    data: z
      .object({ accountId: z.string().nullable() })
      .catchall(z.unknown())
      .openapi({ description: "The event's fields; amounts in minor units." }),
  });

/**
 * Completes the API router's OpenAPI 3.1 document and serves it at `/openapi.json`: the
 * security schemes the auth middleware refers to (server/middleware/auth.ts, operator.ts),
 * the shared response headers (route-docs.ts),
 * every outgoing webhook event (db/webhooks/event-types.ts) in `webhooks`, and the info.
 * Call after every route is mounted.
 */
export function serveOpenApiDocument(api: OpenAPIHono<AppEnv>): void {
  const registry = api.openAPIRegistry;
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An account's API key (`lb_sk_...`); the requirement names the scope it needs.",
  });
  registry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "lb_session",
    description: "Portal session cookie (POST /auth/login); the requirement names the member roles allowed, none = any.",
  });
  registry.registerComponent("securitySchemes", "operatorKey", {
    type: "http",
    scheme: "bearer",
    description: "Platform staff: the OPERATOR_API_KEY of this deployment.",
  });
  registry.registerComponent("securitySchemes", "operatorSession", {
    type: "apiKey",
    in: "cookie",
    name: "lb_operator",
    description:
      "Operator session cookie (POST /operator/auth/login: password and TOTP); separate from portal sessions. " +
      "The requirement names the operator roles allowed, none = any.",
  });
  for (const [name, header] of Object.entries(SHARED_HEADERS)) registry.registerComponent("headers", name, header);
  for (const [type, description] of Object.entries(WEBHOOK_EVENTS)) {
    registry.registerWebhook({
      method: "post",
      path: type,
      operationId: `webhook_${type.replace(/\./g, "_")}`,
      tags: ["outgoing webhooks"],
      summary: `${type}: sent to the webhook endpoints subscribed to it`,
      description: `${description} Retried with backoff for about 3 days until the endpoint answers 2xx.`,
      security: [],
      request: { headers: webhookHeaders, body: { content: { "application/json": { schema: webhookBody(type) } }, required: true } },
      responses: {
        200: { description: "Any 2xx acknowledges the event" },
        400: { description: "Any other answer, or none within the delivery timeout, is retried" },
      },
    });
  }
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Live prepaid balance API",
      version: "1.0.0",
      description: "Amounts are integers in minor units. Errors: { error: { code, message, requestId } }.",
      license: { name: "Proprietary" },
    },
    servers: [{ url: "/api/v1" }],
  });
}
