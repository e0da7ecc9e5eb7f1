import { createRoute, z } from "@hono/zod-openapi";
import { FieldError } from "../../../db/ledger/errors";
import { liability, revenue, topAccounts } from "../../../db/operator/analytics";
import { requireOperator } from "../../middleware/operator";
import { createRouter } from "../router";
import { Currency, errorResponses, jsonResponse } from "../schemas";

/** Longest range the analytics accept: 3 years of days (bounded work per request). */
const MAX_RANGE_DAYS = 3 * 366;
const DAY_MS = 86_400_000;

const Day = z.iso.date();
const Range = z.object({
  from: Day.openapi({ description: "First UTC day, inclusive (YYYY-MM-DD)." }),
  to: Day.openapi({ description: "Last UTC day, exclusive (YYYY-MM-DD)." }),
});

/**
 * Checks from < to and the range's length.
 * @throws FieldError validation_error (400)
 */
function checkRange(r: { from: string; to: string }): void {
  const days = (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS;
  if (days <= 0) throw new FieldError({ field: "to", code: "custom", message: "must be after from" });
  if (days > MAX_RANGE_DAYS) throw new FieldError({ field: "to", code: "custom", message: `at most ${MAX_RANGE_DAYS} days after from` });
}

const money = (description: string) => z.number().int().openapi({ description: `${description} Minor units.` });
const Figures = {
  topups: money("Top-ups collected."),
  refunds: money("Paid back to cards (net of refused refunds)."),
  disputes: money("Withdrawn by disputes (net of disputes won)."),
  usage: money("Usage revenue recognised (usage debits and hold captures)."),
  adjustments: money("Net operator adjustments credited to customers (negative: debited)."),
  promotions: money("Promotions and bonuses credited."),
  net: money("topups - refunds - disputes."),
  balanceChange: money("Change of the customer balances: the sum of every entry."),
};

const revenueRoute = createRoute({
  method: "get",
  path: "/operator/analytics/revenue",
  operationId: "getRevenueAnalytics",
  tags: ["operator"],
  summary: "Revenue per day or month and currency (from the ledger's daily rollups): top-ups, refunds, disputes, usage, adjustments, promotions, net",
  middleware: [requireOperator()] as const,
  request: {
    query: Range.extend({ interval: z.enum(["day", "month"]).default("day"), currency: Currency.optional() }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          data: z.array(z.object({ start: z.string().openapi({ description: "YYYY-MM-DD" }), currency: z.string(), ...Figures })),
          totals: z.array(z.object({ currency: z.string(), ...Figures })),
        })
        .openapi("RevenueAnalytics"),
      "Buckets (every bucket of the range, zeros included) and totals per currency",
    ),
    ...errorResponses,
  },
});

const liabilityRoute = createRoute({
  method: "get",
  path: "/operator/analytics/liability",
  operationId: "getLiabilityAnalytics",
  tags: ["operator"],
  summary: "The sum of customer balances per currency (prepaid money owed as service) and its change over a period (default: the last 30 days)",
  middleware: [requireOperator()] as const,
  request: { query: Range.partial() },
  responses: {
    200: jsonResponse(
      z
        .object({
          data: z.array(
            z.object({
              currency: z.string(),
              balance: money("The sum of customer balances now."),
              openingBalance: money("At the start of `from`."),
              closingBalance: money("At the start of `to`."),
              change: money("closingBalance - openingBalance."),
            }),
          ),
        })
        .openapi("LiabilityAnalytics"),
      "Per currency",
    ),
    ...errorResponses,
  },
});

const topRoute = createRoute({
  method: "get",
  path: "/operator/analytics/top-accounts",
  operationId: "getTopAccounts",
  tags: ["operator"],
  summary: "The accounts with the most usage or top-ups in a range, per currency, largest first",
  middleware: [requireOperator()] as const,
  request: {
    query: Range.extend({
      metric: z.enum(["usage", "topups"]),
      currency: Currency.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(10),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          data: z.array(
            z.object({
              accountId: z.string(),
              name: z.string(),
              currency: z.string(),
              amount: money("Usage recognised or top-ups collected in the range."),
              entries: z.number().int(),
            }),
          ),
        })
        .openapi("TopAccounts"),
      "Accounts",
    ),
    ...errorResponses,
  },
});

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** GET /operator/analytics/revenue, /liability and /top-accounts (db/operator/analytics.ts). */
export const analyticsRoutes = createRouter()
  .openapi(revenueRoute, async (c) => {
    const query = c.req.valid("query");
    checkRange(query);
    return c.json(await revenue(c.get("deps").database.sql, query), 200);
  })
  .openapi(liabilityRoute, async (c) => {
    const query = c.req.valid("query");
    const to = query.to ?? isoDay(Date.now() + DAY_MS);
    const range = { from: query.from ?? isoDay(Date.parse(to) - 30 * DAY_MS), to };
    checkRange(range);
    return c.json({ data: await liability(c.get("deps").database.sql, range) }, 200);
  })
  .openapi(topRoute, async (c) => {
    const query = c.req.valid("query");
    checkRange(query);
    return c.json({ data: await topAccounts(c.get("deps").database.sql, query) }, 200);
  });
