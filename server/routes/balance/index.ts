import { createRoute, z } from "@hono/zod-openapi";
import { getPeriodTotals } from "../../../db/ledger/period-totals";
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

/** Longest period the totals cover: 366 days (a month view needs one month; bounded work). */
const MAX_PERIOD_DAYS = 366;

const PeriodTotalsSchema = z
  .object({
    from: z.string().openapi({ format: "date-time" }),
    topups: z.number().int().openapi({ description: "Sum of paid top-ups since `from`, minor units." }),
    usage: z.number().int().openapi({ description: "Sum of usage and captured holds since `from`, minor units (positive)." }),
  })
  .openapi("PeriodTotals");

const totals = createRoute({
  method: "get",
  path: "/balance/totals",
  operationId: "getBalanceTotals",
  tags: ["balance"],
  summary: "Top-ups and usage since `from` (e.g. the start of this month in the user's time zone)",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: {
    query: z.object({
      from: z.iso
        .datetime({ offset: true })
        .refine((v) => {
          const ms = Date.parse(v);
          return ms <= Date.now() && Date.now() - ms <= MAX_PERIOD_DAYS * 86_400_000;
        }, `must be in the past ${MAX_PERIOD_DAYS} days`)
        .openapi({ description: `Start of the period (ISO 8601), within the last ${MAX_PERIOD_DAYS} days` }),
    }),
  },
  responses: { 200: jsonResponse(PeriodTotalsSchema, "The totals"), ...errorResponses },
});

export const balanceRoutes = createRouter()
  .openapi(balance, async (c) => c.json(await getBalance(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(totals, async (c) => {
    const from = new Date(c.req.valid("query").from);
    const sums = await getPeriodTotals(c.get("deps").database.sql, c.get("accountId"), from);
    return c.json({ from: from.toISOString(), ...sums }, 200);
  });
