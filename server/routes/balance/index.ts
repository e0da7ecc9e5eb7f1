import { createRoute } from "@hono/zod-openapi";
import { getBalance } from "../../../db/ledger/get-balance";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { BalanceSchema, errorResponses, jsonResponse } from "../schemas";

const balance = createRoute({
  method: "get",
  path: "/balance",
  operationId: "getBalance",
  tags: ["balance"],
  summary: "Current balance, held and available amounts (minor units)",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  responses: { 200: jsonResponse(BalanceSchema, "The balance"), ...errorResponses },
});

export const balanceRoutes = createRouter().openapi(balance, async (c) =>
  c.json(await getBalance(c.get("deps").database.sql, c.get("accountId")), 200),
);
