import { createRoute, z } from "@hono/zod-openapi";
import { getBalanceAlerts, MAX_BALANCE_ALERTS, setBalanceAlerts } from "../../../db/ledger/balance-alerts";
import { requireAuth, requireSession, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { AmountMinor, jsonBody, jsonResponse } from "../schemas";

const AlertsSchema = z
  .object({
    thresholds: z.array(z.number().int()).openapi({ description: "Minor units of available balance, highest first." }),
    fired: z.array(z.number().int()).openapi({ description: "Thresholds available is below now (re-armed when it rises to them)." }),
  })
  .openapi("BalanceAlerts");

const PutBody = z
  .object({
    thresholds: z
      .array(AmountMinor)
      .max(MAX_BALANCE_ALERTS)
      .refine((t) => new Set(t).size === t.length, "thresholds must be distinct"),
  })
  .strict()
  .openapi("BalanceAlertsRequest");

const get = createRoute({
  method: "get",
  path: "/balance-alerts",
  tags: ["usage"],
  operationId: "getBalanceAlerts",
  summary: "Low-balance alert thresholds",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  responses: { 200: jsonResponse(AlertsSchema, "Alerts") },
});

const put = createRoute({
  method: "put",
  path: "/balance-alerts",
  tags: ["usage"],
  operationId: "setBalanceAlerts",
  summary: `Set up to ${MAX_BALANCE_ALERTS} thresholds (owner, admin; audited): each fires balance.low once when available falls below it, and re-arms when it is back at or above it`,
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(PutBody),
  responses: {
    200: jsonResponse(AlertsSchema, "Set"),
  },
});

/** GET|PUT /balance-alerts (shared/DESIGN.md, "Priced usage"). */
export const balanceAlertsRoutes = createRouter()
  .openapi(get, async (c) => c.json(await getBalanceAlerts(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(put, async (c) =>
    c.json(
      await setBalanceAlerts(c.get("deps").database.sql, c.get("accountId"), c.req.valid("json").thresholds, {
        actor: `user:${sessionOf(c).userId}`,
        requestId: c.get("requestId"),
      }),
      200,
    ),
  );
