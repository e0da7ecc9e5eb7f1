import { createRoute, z } from "@hono/zod-openapi";
import { checkoutLocaleOf } from "../checkout-locale";
import { MAX_TOPUP_MINOR, MIN_TOPUP_MINOR } from "../../../db/ledger/create-topup";
import { listTopups, type Topup } from "../../../db/ledger/topup-record";
import { requireAuth } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { cancelTopup } from "../../payments/cancel-topup";
import { refreshTopup } from "../../payments/refresh-topup";
import { chargeSavedCardTopup } from "../../payments/charge-saved-card";
import { startTopup } from "../../payments/start-topup";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { Currency, errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

const TopupBody = z
  .object({
    amount: z
      .number()
      .int()
      .min(MIN_TOPUP_MINOR, `must be at least ${MIN_TOPUP_MINOR}`)
      .max(MAX_TOPUP_MINOR, `must be at most ${MAX_TOPUP_MINOR}`)
      .openapi({ description: `Minor units, ${MIN_TOPUP_MINOR} .. ${MAX_TOPUP_MINOR}.`, example: 2500 }),
    currency: Currency.optional().openapi({ description: "If given, must be the account's currency (else 422)." }),
    paymentMethodId: Id.optional().openapi({
      description: 'One-click: charge this saved card (or "default") off-session now instead of opening a checkout.',
    }),
    saveCard: z.boolean().optional().openapi({
      description:
        "Checkout only: save the card paid with for one-click and auto top-up (default true). False: the card is " +
        "used for this payment only (Stripe: no setup_future_usage).",
    }),
  })
  .strict()
  .openapi("CreateTopupRequest");

const TopupSchema = z
  .object({
    id: z.string().openapi({ example: "tu_01jd3..." }),
    amount: z.number().int().openapi({ description: "Minor units." }),
    currency: z.string(),
    status: z.enum(["pending", "succeeded", "failed", "canceled", "expired"]),
    checkoutUrl: z.string().nullable().openapi({ description: "Where to send the customer's browser to pay." }),
    kind: z.enum(["checkout", "saved_card", "auto"]),
    failureReason: z.string().nullable(),
    actionUrl: z.string().nullable().openapi({ description: "Where the customer confirms a charge that needs authentication." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    settledAt: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Topup");

const toTopupDto = (t: Topup) => ({
  id: t.id,
  amount: t.amount,
  currency: t.currency,
  status: t.status,
  checkoutUrl: t.checkoutUrl,
  kind: t.kind,
  failureReason: t.failureReason,
  actionUrl: t.actionUrl,
  createdAt: t.createdAt,
  settledAt: t.settledAt,
});

const createTopupRoute = createRoute({
  method: "post",
  path: "/topups",
  operationId: "createTopup",
  tags: ["topups"],
  summary: "Start a top-up: a checkout URL to pay it, or with paymentMethodId a one-click charge of a saved card",
  description:
    "Portal members with role owner or admin, or an API key with the topups:write scope. Send an Idempotency-Key " +
    "header so a retry returns the same top-up. The account is credited once the payment succeeds (webhook or " +
    "checkout return, whichever comes first).",
  middleware: [requireAuth({ session: { roles: ["owner", "admin"] }, apiKeyScope: "topups:write" }), idempotent({ transaction: false })] as const, // calls the provider: no transaction around it
  request: jsonBody(TopupBody),
  responses: {
    201: jsonResponse(TopupSchema, "Pending top-up with its checkout URL"),
    ...errors("account_closed", "currency_mismatch", "no_payment_method", "provider_unavailable"),
    ...errorResponses,
  },
});

const getTopupRoute = createRoute({
  method: "get",
  path: "/topups/{id}",
  operationId: "getTopup",
  tags: ["topups"],
  summary: "A top-up and its status; while pending, checks the checkout session and settles it if paid",
  middleware: [requireAuth({ session: {}, apiKeyScope: "topups:write" })] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: jsonResponse(TopupSchema, "The top-up"), ...errors("provider_unavailable"), ...errorResponses },
});

const cancelTopupRoute = createRoute({
  method: "post",
  path: "/topups/{id}/cancel",
  operationId: "cancelTopup",
  tags: ["topups"],
  summary: "Cancel a pending checkout top-up: its checkout session expires and the top-up becomes expired",
  description:
    "The checkout's cancel link returns here. A top-up that is no longer pending (or paid meanwhile) is returned " +
    "as it is, so repeating the call is safe.",
  middleware: [requireAuth({ session: { roles: ["owner", "admin"] }, apiKeyScope: "topups:write" })] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: jsonResponse(TopupSchema, "The top-up, expired unless it was paid or settled before"),
    ...errorResponses,
  },
});

/** Most top-ups one GET /topups returns (TIGER_STYLE: a limit on everything). */
const MAX_TOPUPS_LIST = 50;

const listTopupsRoute = createRoute({
  method: "get",
  path: "/topups",
  operationId: "listTopups",
  tags: ["topups"],
  summary: "The account's latest top-ups, newest first; `kind=auto` is the auto top-up attempt history",
  middleware: [requireAuth({ session: {}, apiKeyScope: "topups:write" })] as const,
  request: {
    query: z.object({
      kind: z.enum(["checkout", "saved_card", "auto"]).optional(),
      limit: z.coerce.number().int().min(1).max(MAX_TOPUPS_LIST).default(10),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ data: z.array(TopupSchema) }).openapi("TopupList"), "Top-ups, newest first"),
    ...errorResponses,
  },
});

/** POST /topups (startTopup), GET /topups (the latest), GET /topups/:id (refreshTopup, the checkout return path), POST /topups/:id/cancel. */
export const topupsRoutes = createRouter()
  .openapi(createTopupRoute, async (c) => {
    const { paymentMethodId, ...body } = c.req.valid("json");
    const input = { accountId: c.get("accountId"), idempotencyKey: c.get("idempotencyKey"), ...body };
    const topup = paymentMethodId
      ? await chargeSavedCardTopup(c.get("deps"), { ...input, paymentMethodId })
      : await startTopup(c.get("deps"), { ...input, locale: await checkoutLocaleOf(c) });
    return c.json(toTopupDto(topup), 201);
  })
  .openapi(getTopupRoute, async (c) => {
    const topup = await refreshTopup(c.get("deps"), c.get("accountId"), c.req.valid("param").id);
    return c.json(toTopupDto(topup), 200);
  })
  .openapi(listTopupsRoute, async (c) => {
    const { kind, limit } = c.req.valid("query");
    const rows = await listTopups(c.get("deps").database.sql, c.get("accountId"), { kind, limit });
    return c.json({ data: rows.map(toTopupDto) }, 200);
  })
  .openapi(cancelTopupRoute, async (c) => {
    const topup = await cancelTopup(c.get("deps"), c.get("accountId"), c.req.valid("param").id);
    return c.json(toTopupDto(topup), 200);
  });
