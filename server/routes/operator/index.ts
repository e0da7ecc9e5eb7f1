import { createRoute, z } from "@hono/zod-openapi";
import { reactivateAccount, suspendAccount } from "../../../db/ledger/account-status";
import { setOverdraftLimit } from "../../../db/ledger/overdraft";
import { operatorAuditBy, requireOperator } from "../../middleware/operator";
import { createRouter } from "../router";
import { operatorAccountsRoutes } from "./accounts";
import { adjustmentRoutes } from "./adjustments";
import { analyticsRoutes } from "./analytics";
import { auditLogRoutes } from "./audit-log";
import { errors } from "../../openapi/route-docs";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

const StatusSchema = z
  .object({
    accountId: z.string(),
    status: z.enum(["active", "suspended"]),
    suspendedReason: z.enum(["operator", "non_payment"]).nullable(),
    changed: z.boolean().openapi({ description: "False when the account already had this status." }),
  })
  .openapi("AccountStatus");

const SuspendBody = z
  .object({
    reason: z.enum(["operator", "non_payment"]).default("operator").openapi({
      description:
        "non_payment: lifted automatically once a top-up brings available back to >= 0; operator: only by an operator.",
    }),
  })
  .strict();

const Params = z.object({ id: Id });

const OverdraftBody = z
  .object({
    overdraftLimit: z.number().int().min(0).max(10_000_000_000).openapi({
      description: "How far below zero available (balance - held) may go, minor units; 0 = prepaid only.",
      example: 5000,
    }),
  })
  .strict();

const OverdraftSchema = z
  .object({ accountId: z.string(), overdraftLimit: z.number().int(), available: z.number().int() })
  .openapi("OverdraftLimit");

const overdraft = createRoute({
  method: "put",
  path: "/operator/accounts/{id}/overdraft",
  operationId: "setOverdraftLimit",
  tags: ["operator"],
  summary:
    "Set an account's overdraft limit; 422 overdraft_in_use below what it already uses. An account below zero for NON_PAYMENT_GRACE_HOURS is suspended (non_payment) until a top-up restores it",
  middleware: [requireOperator()] as const,
  request: { params: Params, ...jsonBody(OverdraftBody) },
  responses: {
    200: jsonResponse(OverdraftSchema, "Set"),
    ...errors("overdraft_in_use"),
    ...errorResponses,
  },
});

const suspend = createRoute({
  method: "post",
  path: "/operator/accounts/{id}/suspend",
  operationId: "suspendAccount",
  tags: ["operator"],
  summary: "Suspend an account: usage answers 403 account_suspended; emits account.suspended",
  middleware: [requireOperator()] as const,
  request: { params: Params, ...jsonBody(SuspendBody) },
  responses: { 200: jsonResponse(StatusSchema, "Suspended"), ...errorResponses },
});

const reactivate = createRoute({
  method: "post",
  path: "/operator/accounts/{id}/reactivate",
  operationId: "reactivateAccount",
  tags: ["operator"],
  summary: "Reactivate a suspended account; emits account.reactivated",
  middleware: [requireOperator()] as const,
  request: { params: Params },
  responses: { 200: jsonResponse(StatusSchema, "Active"), ...errorResponses },
});

/**
 * Operator routes (server/middleware/operator.ts): suspend, reactivate, overdraft of any
 * account, and the console's audit log, accounts, adjustments and analytics.
 */
export const operatorRoutes = createRouter()
  .route("/", auditLogRoutes)
  .route("/", operatorAccountsRoutes)
  .route("/", adjustmentRoutes)
  .route("/", analyticsRoutes)
  .openapi(suspend, async (c) =>
    c.json(
      await suspendAccount(c.get("deps").ledger, c.req.valid("param").id, c.req.valid("json").reason, false, operatorAuditBy(c)),
      200,
    ),
  )
  .openapi(reactivate, async (c) =>
    c.json(await reactivateAccount(c.get("deps").ledger, c.req.valid("param").id, operatorAuditBy(c)), 200),
  )
  .openapi(overdraft, async (c) =>
    c.json(
      await setOverdraftLimit(
        c.get("deps").ledger,
        c.req.valid("param").id,
        c.req.valid("json").overdraftLimit,
        operatorAuditBy(c),
      ),
      200,
    ),
  );
