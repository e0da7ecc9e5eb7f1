import { createRoute, z } from "@hono/zod-openapi";
import { getSpendLimits, setSpendLimits } from "../../../db/ledger/spend-limits";
import { requireAuth, requireSession, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { AmountMinor, jsonBody, jsonResponse } from "../schemas";

const Limit = AmountMinor.nullable();

const SpendLimitsSchema = z
  .object({
    daily: Limit.openapi({ description: "Most usage per UTC day, minor units; null = no limit." }),
    monthly: Limit.openapi({ description: "Most usage per calendar month (UTC), minor units; null = no limit." }),
    spentToday: z.number().int(),
    spentThisMonth: z.number().int(),
    currency: z.string(),
  })
  .openapi("SpendLimits");

const PutBody = z.object({ daily: Limit, monthly: Limit }).strict().openapi("SpendLimitsRequest");

const get = createRoute({
  method: "get",
  path: "/spend-limits",
  tags: ["usage"],
  operationId: "getSpendLimits",
  summary: "The account's daily and monthly usage limits and what it used so far",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  responses: { 200: jsonResponse(SpendLimitsSchema, "Spend limits") },
});

const put = createRoute({
  method: "put",
  path: "/spend-limits",
  tags: ["usage"],
  operationId: "setSpendLimits",
  summary: "Set the usage limits (owner, admin; audited): usage beyond one is refused with 402 spend_limit_exceeded, nothing debited",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(PutBody),
  responses: { 200: jsonResponse(SpendLimitsSchema, "Set"), },
});

/** GET|PUT /spend-limits (shared/DESIGN.md, "Priced usage"). */
export const spendLimitsRoutes = createRouter()
  .openapi(get, async (c) => c.json(await getSpendLimits(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(put, async (c) =>
    c.json(
      await setSpendLimits(c.get("deps").database.sql, c.get("accountId"), c.req.valid("json"), {
        actor: `user:${sessionOf(c).userId}`,
        requestId: c.get("requestId"),
      }),
      200,
    ),
  );
