import { createRoute, z } from "@hono/zod-openapi";
import { SUMMARY_INTERVALS, summarizeUsage, type SummaryInterval } from "../../../db/ledger/usage-summary";
import { ApiError } from "../../errors";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { jsonResponse } from "../schemas";

const DAY_MS = 86_400_000;
// typed wide: a literal array here makes @hono/zod-openapi infer `never` for the validated query

const Query = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ description: "Start, inclusive (ISO 8601)." }),
  to: z.iso.datetime({ offset: true }).openapi({ description: "End, exclusive (ISO 8601)." }),
  interval: z
    .enum(["hour", "day", "month"])
    .optional()
    .openapi({ description: "UTC buckets (default day); a range covers at most 31 days by hour, 366 by day, 5 years by month." }),
  meter: z.string().min(1).max(64).optional(),
});

const SummarySchema = z
  .object({
    buckets: z.array(
      z.object({
        start: z.string().openapi({ format: "date-time" }),
        meter: z.string().nullable().openapi({ description: "null: usage debited as plain amounts." }),
        quantity: z.string().nullable().openapi({ description: "Exact decimal; null for plain amounts." }),
        amount: z.number().int().openapi({ description: "Minor units debited." }),
      }),
    ),
  })
  .openapi("UsageSummary");

const summary = createRoute({
  method: "get",
  path: "/usage/summary",
  tags: ["usage"],
  operationId: "getUsageSummary",
  summary: "Quantity and amount per meter per interval",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: { query: Query },
  responses: { 200: jsonResponse(SummarySchema, "Buckets, oldest first") },
});

/** GET /usage/summary (shared/DESIGN.md, "Priced usage"). */
export const usageSummaryRoutes = createRouter().openapi(summary, async (c) => {
  const query = c.req.valid("query");
  const interval: SummaryInterval = query.interval ?? "day";
  const from = new Date(query.from);
  const to = new Date(query.to);
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (!(days > 0 && days <= SUMMARY_INTERVALS[interval])) {
    throw new ApiError("validation_error", `to must be after from, and at most ${SUMMARY_INTERVALS[interval]} days later for interval=${interval}.`);
  }
  const buckets = await summarizeUsage(c.get("deps").database.sql, { accountId: c.get("accountId"), from, to, interval, meter: query.meter });
  return c.json({ buckets }, 200);
});
