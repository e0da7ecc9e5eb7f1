import { createRoute, z } from "@hono/zod-openapi";
import { rollWebhookSecret, updateWebhookEndpoint } from "../../../db/webhooks/edit-endpoint";
import { FieldError } from "../../../db/ledger/errors";
import { notFound } from "../../middleware/errors";
import { namesPrivateHost } from "../../webhooks/targets";
import { createRouter } from "../router";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";
import { scopedOperationId, toEndpointDto, type Scope } from "./scope";
import {
  RolledWebhookSecret,
  RollWebhookSecretBody,
  UpdateWebhookEndpointBody,
  WebhookEndpointSchema,
} from "./schemas";

const IdParam = z.object({ id: Id });

/**
 * Editing an endpoint of `scope` (server/routes/webhook-endpoints/index.ts): PATCH its URL,
 * description and events; roll its signing secret with an overlap. Both audited; another
 * scope's or tenant's id is 404.
 */
export function editWebhookEndpointRoutes(scope: Scope) {
  const path = `${scope.prefix}/webhook-endpoints/{id}`;
  const tags = [scope.tag];
  const middleware = scope.auth;
  const by = scope.auditBy;
  return createRouter()
    .openapi(
      createRoute({
        method: "patch",
        path,
        operationId: scopedOperationId(scope, "updateWebhookEndpoint"),
        tags,
        summary: "Change an endpoint's URL, description or events (only the fields given; audited)",
        middleware,
        request: { params: IdParam, ...jsonBody(UpdateWebhookEndpointBody) },
        responses: { 200: jsonResponse(WebhookEndpointSchema, "Updated"), ...errorResponses },
      }),
      async (c) => {
        const body = c.req.valid("json");
        if (
          body.url &&
          scope.restricted &&
          !c.get("deps").webhookTargets.allowPrivateTargets &&
          namesPrivateHost(body.url)
        ) {
          const message = "points to a private network address; use a public https URL";
          throw new FieldError({ field: "url", code: "private_address", message });
        }
        const row = await updateWebhookEndpoint(
          c.get("deps").database.sql,
          scope.owner(c),
          c.req.valid("param").id,
          body,
          by(c),
        );
        if (!row) throw notFound("webhook endpoint");
        return c.json(toEndpointDto(row), 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: `${path}/roll-secret`,
        operationId: scopedOperationId(scope, "rollWebhookSecret"),
        tags,
        summary:
          "Replace the signing secret; the old one keeps signing next to the new one for `overlapHours` (default 24). The new secret is in this response only",
        middleware,
        request: { params: IdParam, ...jsonBody(RollWebhookSecretBody) },
        responses: { 200: jsonResponse(RolledWebhookSecret, "Rolled"), ...errorResponses },
      }),
      async (c) => {
        const rolled = await rollWebhookSecret(
          c.get("deps").database.sql,
          scope.owner(c),
          c.req.valid("param").id,
          c.req.valid("json").overlapHours,
          by(c),
        );
        if (!rolled) throw notFound("webhook endpoint");
        return c.json({ ...toEndpointDto(rolled.endpoint), secret: rolled.secret }, 200);
      },
    );
}
