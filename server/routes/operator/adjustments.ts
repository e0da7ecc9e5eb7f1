import { createRoute, z } from "@hono/zod-openapi";
import { adjustBalance } from "../../../db/ledger/adjust-balance";
import { ApiError } from "../../errors";
import { idempotent } from "../../middleware/idempotency";
import { operatorAuditBy, operatorRole, requireOperator } from "../../middleware/operator";
import { errors } from "../../openapi/route-docs";
import { createRouter } from "../router";
import { errorResponses, Id, jsonBody, jsonResponse, LedgerEntrySchema } from "../schemas";

const AdjustmentBody = z
  .object({
    amount: z
      .number()
      .int()
      .min(-10_000_000_000)
      .max(10_000_000_000)
      .refine((n) => n !== 0, "must not be 0")
      .openapi({ description: "Signed minor units: > 0 credits the customer, < 0 debits them.", example: 500 }),
    type: z.enum(["adjustment", "promotion"]).openapi({
      description: "adjustment: a correction (contra account `adjustments`); promotion: goodwill or bonus (`promotions`).",
    }),
    reason: z.string().trim().min(1).max(500).openapi({
      description: "Required; shown to the customer as the entry's description.",
      example: "Goodwill credit for the outage on 2 Dec",
    }),
  })
  .strict();

const AdjustmentResult = z
  .object({ entry: LedgerEntrySchema, balance: z.number().int(), held: z.number().int(), available: z.number().int() })
  .openapi("AdjustmentResult");

const adjust = createRoute({
  method: "post",
  path: "/operator/accounts/{id}/adjustments",
  operationId: "adjustAccountBalance",
  tags: ["operator"],
  summary:
    "Credit or debit an account with a reason (ledger entry against the adjustments or promotions system account; audited); support operators up to OPERATOR_SUPPORT_ADJUSTMENT_LIMIT",
  middleware: [requireOperator({ supportMayWrite: true }), idempotent({ scope: "operator" })] as const,
  request: { params: z.object({ id: Id }), ...jsonBody(AdjustmentBody) },
  responses: {
    201: jsonResponse(AdjustmentResult, "Posted"),
    ...errors("insufficient_funds", "account_suspended", "account_closed", "forbidden"),
    ...errorResponses,
  },
});

/**
 * Refuses an adjustment above the role's limit: `support` operators may move at most
 * `limitMinor` minor units either way (OPERATOR_SUPPORT_ADJUSTMENT_LIMIT); admins any amount.
 * @throws ApiError forbidden (403)
 */
export function assertAdjustmentAllowed(role: "admin" | "support", amount: number, limitMinor: number): void {
  if (role === "support" && Math.abs(amount) > limitMinor) {
    throw new ApiError("forbidden", `Support operators may adjust at most ${limitMinor} minor units; ask an admin.`);
  }
}

/** POST /operator/accounts/{id}/adjustments (db/ledger/adjust-balance.ts). */
export const adjustmentRoutes = createRouter().openapi(adjust, async (c) => {
  const body = c.req.valid("json");
  assertAdjustmentAllowed(operatorRole(c), body.amount, c.get("deps").env.OPERATOR_SUPPORT_ADJUSTMENT_LIMIT);
  const posted = await adjustBalance(
    c.get("deps").ledger,
    { accountId: c.req.valid("param").id, ...body, idempotencyKey: c.get("idempotencyKey") },
    operatorAuditBy(c),
  );
  return c.json({ entry: posted.entry, balance: posted.balance, held: posted.held, available: posted.available }, 201);
});
