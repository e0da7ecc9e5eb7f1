import { createRoute, z } from "@hono/zod-openapi";
import { getRefund, requestRefund } from "../../../db/ledger/refunds";
import { idempotent } from "../../middleware/idempotency";
import { requireOperator } from "../../middleware/operator";
import { notFound } from "../../middleware/errors";
import { createRouter } from "../router";
import { AmountMinor, ErrorBody, errorResponses, jsonBody, jsonResponse } from "../schemas";

const RefundSchema = z
  .object({
    id: z.string(),
    topupId: z.string(),
    accountId: z.string(),
    amount: z.number().int().openapi({ description: "Minor units." }),
    currency: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({
      description: "pending: taken from the balance, being refunded at the provider; failed: credited back.",
    }),
    providerRefundId: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Refund");

const RefundBody = z
  .object({
    amount: AmountMinor.optional().openapi({
      description: "Default: all that is refundable (unused and left of the top-up).",
    }),
  })
  .strict();

const create = createRoute({
  method: "post",
  path: "/operator/topups/{id}/refunds",
  tags: ["operator"],
  summary:
    "Refund unused balance to the card that paid a top-up: taken from the balance now, refunded at the provider by the worker (credited back if the provider refuses)",
  middleware: [requireOperator(), idempotent({ scope: "operator" })] as const,
  request: {
    params: z.object({ id: z.string().max(64) }),
    headers: z.object({ "idempotency-key": z.string().optional() }),
    ...jsonBody(RefundBody),
  },
  responses: {
    202: jsonResponse(RefundSchema, "Taken from the balance; the provider is being asked"),
    422: { description: "refund_exceeds_available", content: { "application/json": { schema: ErrorBody } } },
    ...errorResponses,
  },
});

const read = createRoute({
  method: "get",
  path: "/operator/refunds/{id}",
  tags: ["operator"],
  summary: "A refund and where it stands",
  middleware: [requireOperator()] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: { 200: jsonResponse(RefundSchema, "The refund"), ...errorResponses },
});

/** Operator refunds of unused balance (db/ledger/refunds.ts). */
export const refundsRoutes = createRouter()
  .openapi(create, async (c) => {
    const { refund } = await requestRefund(c.get("deps").ledger, {
      topupId: c.req.valid("param").id,
      amount: c.req.valid("json").amount,
    });
    return c.json(refund, 202);
  })
  .openapi(read, async (c) => {
    const found = await getRefund(c.get("deps").database.sql, c.req.valid("param").id);
    if (!found) throw notFound("refund");
    return c.json(found.refund, 200);
  });
