import { createRoute, z } from "@hono/zod-openapi";
import { getAutoTopupSettings, putAutoTopupSettings } from "../../../db/auto-topup/settings";
import { MAX_TOPUP_MINOR, MIN_TOPUP_MINOR } from "../../../db/ledger/create-topup";
import { MAX_AMOUNT_MINOR } from "../../../db/money";
import { requireSession } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

/** Longest cooldown: 30 days; the cap on a setting people type (TIGER_STYLE: put a limit on everything). */
const MAX_COOLDOWN_MINUTES = 30 * 24 * 60;

const TopupAmount = z.number().int().min(MIN_TOPUP_MINOR).max(MAX_TOPUP_MINOR);

const PutBody = z
  .object({
    enabled: z.boolean(),
    threshold: z.number().int().min(0).max(MAX_AMOUNT_MINOR).openapi({ description: "Minor units." }),
    amount: TopupAmount.nullable().optional().openapi({ description: "Charge this (plus any negative balance). Exclusive with targetBalance." }),
    targetBalance: z.number().int().min(1).max(MAX_AMOUNT_MINOR).nullable().optional()
      .openapi({ description: "Charge up to this balance. Exclusive with amount." }),
    paymentMethodId: Id.nullable().optional().openapi({ description: "null = the default card." }),
    cooldownMinutes: z.number().int().min(0).max(MAX_COOLDOWN_MINUTES).optional().openapi({ description: "Default 60." }),
    monthlyCap: z.number().int().min(MIN_TOPUP_MINOR).max(MAX_AMOUNT_MINOR).nullable().optional(),
  })
  .strict()
  .openapi("PutAutoTopupRequest");

const SettingsSchema = z
  .object({
    enabled: z.boolean(),
    threshold: z.number().int(),
    amount: z.number().int().nullable(),
    targetBalance: z.number().int().nullable(),
    paymentMethodId: z.string().nullable(),
    cooldownMinutes: z.number().int(),
    monthlyCap: z.number().int().nullable(),
    consecutiveFailures: z.number().int(),
    disabledReason: z.string().nullable(),
    actionUrl: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastResult: z.enum(["succeeded", "failed", "requires_action", "skipped"]).nullable(),
    lastReason: z.string().nullable(),
    nextEligibleAt: z.string().nullable(),
  })
  .openapi("AutoTopupSettings");

const get = createRoute({
  method: "get",
  path: "/auto-topup",
  operationId: "getAutoTopup",
  tags: ["auto-topup"],
  summary: "Auto top-up settings, last attempt, result, reason and next eligible time",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(SettingsSchema, "Settings") },
});
const put = createRoute({
  method: "put",
  path: "/auto-topup",
  operationId: "putAutoTopup",
  tags: ["auto-topup"],
  summary: "Save auto top-up settings; enabling clears failures and pauses (one-click re-enable)",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(PutBody),
  responses: { 200: jsonResponse(SettingsSchema, "Saved"), ...errorResponses },
});

/** GET|PUT /auto-topup (db/auto-topup/settings.ts). */
export const autoTopupRoutes = createRouter()
  .openapi(get, async (c) => c.json(await getAutoTopupSettings(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(put, async (c) =>
    c.json(await putAutoTopupSettings(c.get("deps").database.sql, c.get("accountId"), c.req.valid("json")), 200),
  );
