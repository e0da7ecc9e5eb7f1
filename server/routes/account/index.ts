import { createRoute, z } from "@hono/zod-openapi";
import { closeAccount, getAccountSettings, updateAccountSettings } from "../../../db/members/account-settings";
import { requireSession, sessionOf } from "../../middleware/auth";
import { errors } from "../../openapi/route-docs";
import { createRouter } from "../router";
import { Currency, jsonBody, jsonResponse } from "../schemas";

const AccountSettingsSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    status: z.enum(["active", "suspended", "closed"]),
    moneyMoved: z
      .boolean()
      .openapi({ description: "True once any ledger entry or top-up exists: the currency is fixed." }),
    balance: z.number().int().openapi({ description: "Minor units." }),
    held: z.number().int().openapi({ description: "Minor units." }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("AccountSettings");

const UpdateAccountBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    currency: Currency.optional().openapi({ description: "Only while no money has moved (409 currency_locked)." }),
  })
  .strict()
  .openapi("UpdateAccountRequest");

const get = createRoute({
  method: "get",
  path: "/account",
  operationId: "getAccount",
  tags: ["account"],
  summary: "The account's settings: name, currency (fixed once money moved), status, balance",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(AccountSettingsSchema, "The account") },
});

const update = createRoute({
  method: "patch",
  path: "/account",
  operationId: "updateAccount",
  tags: ["account"],
  summary: "Rename the account, or set its currency while no money has moved (audited)",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(UpdateAccountBody),
  responses: { 200: jsonResponse(AccountSettingsSchema, "Saved"), ...errors("currency_locked", "account_closed") },
});

const close = createRoute({
  method: "post",
  path: "/account/close",
  operationId: "closeAccount",
  tags: ["account"],
  summary: "Close the account for good: only at a zero balance with nothing held (refunds first); audited",
  description:
    "409 account_not_empty (details: balance, held in minor units, currency) otherwise. A closed account refuses " +
    "usage, holds and top-ups (403 account_closed); its members can still read its history.",
  middleware: [requireSession(["owner"])] as const,
  responses: { 200: jsonResponse(AccountSettingsSchema, "Closed"), ...errors("account_not_empty", "account_closed") },
});

/** GET|PATCH /account, POST /account/close (db/members/account-settings.ts). */
export const accountRoutes = createRouter()
  .openapi(get, async (c) => c.json(await getAccountSettings(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(update, async (c) => {
    const { userId, role } = sessionOf(c);
    const actor = { userId, role, requestId: c.get("requestId") };
    return c.json(
      await updateAccountSettings(c.get("deps").database.sql, c.get("accountId"), actor, c.req.valid("json")),
      200,
    );
  })
  .openapi(close, async (c) => {
    const { userId, role } = sessionOf(c);
    const actor = { userId, role, requestId: c.get("requestId") };
    return c.json(await closeAccount(c.get("deps").database.sql, c.get("accountId"), actor), 200);
  });
