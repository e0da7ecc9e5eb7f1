import { createRoute, z } from "@hono/zod-openapi";
import { captureHold } from "../../../db/ledger/capture-hold";
import { createHold } from "../../../db/ledger/create-hold";
import type { HoldChange } from "../../../db/ledger/hold-record";
import { voidHold } from "../../../db/ledger/release-hold";
import { requireApiKey } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { AmountMinor, Currency, errorResponses, jsonBody, jsonResponse, LedgerEntrySchema, Id } from "../schemas";

/** Longest hold: 7 days (Stripe's card authorizations last 7 days for online payments). Default 15 minutes. */
const MAX_HOLD_SECONDS = 7 * 24 * 60 * 60;
const DEFAULT_HOLD_SECONDS = 15 * 60;

const HoldBody = z
  .object({
    amount: AmountMinor,
    expiresInSeconds: z.number().int().min(1).max(MAX_HOLD_SECONDS).default(DEFAULT_HOLD_SECONDS)
      .openapi({ description: `Seconds until the hold releases by itself, 1 .. ${MAX_HOLD_SECONDS}; default ${DEFAULT_HOLD_SECONDS}.` }),
    currency: Currency.optional(),
    description: z.string().max(500).optional(),
  })
  .strict()
  .openapi("CreateHoldRequest");

const CaptureBody = z.object({ amount: AmountMinor.openapi({ description: "Minor units, at most the hold's amount." }) }).strict();

const HoldSchema = z
  .object({
    id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(["active", "captured", "voided", "expired"]),
    capturedAmount: z.number().int().nullable(),
    description: z.string().nullable(),
    expiresAt: z.string(),
    createdAt: z.string(),
    releasedAt: z.string().nullable(),
  })
  .openapi("Hold");

const HoldResult = z
  .object({ hold: HoldSchema, balance: z.number().int(), held: z.number().int(), available: z.number().int(), entry: LedgerEntrySchema.optional() })
  .openapi("HoldResult");

const toDto = (c: Omit<HoldChange, "replayed">) => {
  const { accountId: _accountId, ...hold } = c.hold;
  return { hold, balance: c.balance, held: c.held, available: c.available };
};

const HoldParams = z.object({ id: Id });

const create = createRoute({
  method: "post",
  path: "/holds",
  operationId: "createHold",
  tags: ["holds"],
  summary: "Reserve funds: available = balance - held",
  description: "API key with usage:write. Idempotency-Key makes retries safe. 402 when available (plus overdraft) is short.",
  middleware: [requireApiKey("usage:write"), idempotent()] as const,
  request: jsonBody(HoldBody),
  responses: {
    201: jsonResponse(HoldResult, "Hold created"),
    ...errors("insufficient_funds", "account_suspended", "account_closed", "currency_mismatch"),
  },
});

const capture = createRoute({
  method: "post",
  path: "/holds/{id}/capture",
  operationId: "captureHold",
  tags: ["holds"],
  summary: "Charge up to the held amount and release the hold",
  middleware: [requireApiKey("usage:write"), idempotent()] as const,
  request: { params: HoldParams, ...jsonBody(CaptureBody) },
  responses: {
    200: jsonResponse(HoldResult, "Captured: a capture ledger entry and the released hold"),
    ...errors("hold_not_active", "capture_exceeds_hold"),
    ...errorResponses,
  },
});

const voidRoute = createRoute({
  method: "post",
  path: "/holds/{id}/void",
  operationId: "voidHold",
  tags: ["holds"],
  summary: "Release a hold without charging",
  middleware: [requireApiKey("usage:write"), idempotent()] as const,
  request: { params: HoldParams },
  responses: { 200: jsonResponse(HoldResult, "Voided"), ...errors("hold_not_active"), ...errorResponses },
});

/** POST /holds, /holds/:id/capture, /holds/:id/void (db/ledger/create-hold.ts, capture-hold.ts, release-hold.ts). */
export const holdsRoutes = createRouter()
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const change = await createHold(c.get("deps").ledger, {
      accountId: c.get("accountId"),
      amount: body.amount,
      expiresAt: new Date(Date.now() + body.expiresInSeconds * 1000),
      idempotencyKey: c.get("idempotencyKey"),
      description: body.description,
      currency: body.currency,
    });
    return c.json(toDto(change), 201);
  })
  .openapi(capture, async (c) => {
    const { hold, posted } = await captureHold(c.get("deps").ledger, {
      accountId: c.get("accountId"),
      holdId: c.req.valid("param").id,
      amount: c.req.valid("json").amount,
    });
    return c.json({ ...toDto({ hold, balance: posted.balance, held: posted.held, available: posted.available }), entry: posted.entry }, 200);
  })
  .openapi(voidRoute, async (c) => {
    const change = await voidHold(c.get("deps").ledger, c.get("accountId"), c.req.valid("param").id);
    return c.json(toDto(change), 200);
  });
