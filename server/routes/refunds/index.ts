import { createRoute, z } from "@hono/zod-openapi";
import { getRefund, refundableNow, requestRefund } from "../../../db/ledger/refunds";
import { idempotent } from "../../middleware/idempotency";
import { operatorAuditBy, requireOperator } from "../../middleware/operator";
import { notFound } from "../../middleware/errors";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { AmountMinor, errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

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
  operationId: "refundTopup",
  tags: ["operator"],
  summary:
    "Refund unused balance to the card that paid a top-up: taken from the balance now, refunded at the provider by the worker (credited back if the provider refuses)",
  middleware: [requireOperator(), idempotent({ scope: "operator" })] as const,
  request: { params: z.object({ id: Id }), ...jsonBody(RefundBody) },
  responses: {
    202: jsonResponse(RefundSchema, "Taken from the balance; the provider is being asked"),
    ...errors("refund_exceeds_available"),
    ...errorResponses,
  },
});

const read = createRoute({
  method: "get",
  path: "/operator/refunds/{id}",
  operationId: "getRefund",
  tags: ["operator"],
  summary: "A refund and where it stands",
  middleware: [requireOperator()] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: jsonResponse(RefundSchema, "The refund"), ...errorResponses },
});

const OperatorTopupSchema = z
  .object({
    id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(["pending", "succeeded", "failed", "canceled", "expired"]),
    kind: z.enum(["checkout", "saved_card", "auto"]),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
    takenBack: z.number().int().openapi({ description: "Net minor units refunds and disputes took back." }),
    refundable: z.number().int().openapi({
      description: "What POST .../refunds would take now: unused (balance - held) and left of this top-up.",
    }),
  })
  .openapi("OperatorTopup");

const listTopups = createRoute({
  method: "get",
  path: "/operator/accounts/{id}/topups",
  operationId: "listAccountTopups",
  tags: ["operator"],
  summary: "An account's latest 100 top-ups, newest first, with what is refundable now",
  middleware: [requireOperator()] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: jsonResponse(z.object({ data: z.array(OperatorTopupSchema) }), "Top-ups"), ...errorResponses },
});

interface OperatorTopupRow {
  id: string;
  amount: number;
  currency: string;
  status: z.infer<typeof OperatorTopupSchema>["status"];
  kind: z.infer<typeof OperatorTopupSchema>["kind"];
  created_at: Date;
  settled_at: Date | null;
  taken_back: number;
  available: number;
  account_status: string;
}

/** Operator refunds of unused balance (db/ledger/refunds.ts). */
export const refundsRoutes = createRouter()
  .openapi(create, async (c) => {
    const { refund } = await requestRefund(c.get("deps").ledger, {
      topupId: c.req.valid("param").id,
      amount: c.req.valid("json").amount,
    }, operatorAuditBy(c));
    return c.json(refund, 202);
  })
  .openapi(listTopups, async (c) => {
    const { sql } = c.get("deps").database;
    const [account] = await sql`SELECT 1 FROM accounts WHERE id = ${c.req.valid("param").id} AND kind = 'customer'`;
    if (!account) throw notFound("account");
    const rows = await sql<OperatorTopupRow[]>`
      SELECT t.id, t.amount, t.currency, t.status, t.kind, t.created_at, t.settled_at,
             coalesce(b.taken, 0)::bigint AS taken_back, a.balance - a.held AS available, a.status AS account_status
        FROM topups t JOIN accounts a ON a.id = t.account_id LEFT JOIN topup_taken_back b ON b.topup_id = t.id
       WHERE t.account_id = ${c.req.valid("param").id}
       ORDER BY t.created_at DESC, t.id DESC LIMIT 100`;
    const data = rows.map((r) => ({
      id: r.id,
      amount: r.amount,
      currency: r.currency,
      status: r.status,
      kind: r.kind,
      createdAt: r.created_at.toISOString(),
      settledAt: r.settled_at?.toISOString() ?? null,
      takenBack: r.taken_back,
      refundable:
        r.status === "succeeded"
          ? refundableNow({
              open: r.amount - r.taken_back,
              available: r.available,
              closed: r.account_status === "closed",
            })
          : 0,
    }));
    return c.json({ data }, 200);
  })
  .openapi(read, async (c) => {
    const found = await getRefund(c.get("deps").database.sql, c.req.valid("param").id);
    if (!found) throw notFound("refund");
    return c.json(found.refund, 200);
  });
