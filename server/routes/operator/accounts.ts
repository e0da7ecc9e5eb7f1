import { createRoute, z } from "@hono/zod-openapi";
import { FieldError } from "../../../db/ledger/errors";
import { getAccountDetail, listAccounts } from "../../../db/operator/accounts";
import { notFound } from "../../middleware/errors";
import { requireOperator } from "../../middleware/operator";
import { createRouter } from "../router";
import { errorResponses, Id, jsonResponse } from "../schemas";
import { CursorParam, encodeCursor } from "./cursor";

const Status = z.enum(["active", "suspended", "closed"]);

const AccountSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    balance: z.number().int().openapi({ description: "Minor units." }),
    held: z.number().int(),
    available: z.number().int().openapi({ description: "balance - held, minor units." }),
    overdraftLimit: z.number().int(),
    status: Status,
    suspendedReason: z.enum(["operator", "non_payment"]).nullable(),
    ownerEmail: z.string().nullable().openapi({ description: "The first owner's email." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    lastActivityAt: z.string().openapi({ format: "date-time", description: "Last ledger entry or status/overdraft change." }),
  })
  .openapi("OperatorAccountSummary");

const AutoTopupHealth = z.enum(["off", "ok", "failing", "disabled_after_failures"]).openapi({
  description: "off: never enabled or turned off by the customer; failing: enabled, last attempts failed; disabled_after_failures: turned off after 3 failures.",
});

const AccountDetailSchema = AccountSummarySchema.extend({
  members: z.array(
    z.object({ userId: z.string(), email: z.string(), name: z.string(), role: z.enum(["owner", "admin", "viewer"]) }),
  ),
  autoTopup: z
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
      lastAttemptAt: z.string().nullable(),
      lastResult: z.string().nullable(),
      lastReason: z.string().nullable(),
      health: AutoTopupHealth,
    })
    .nullable()
    .openapi({ description: "null: auto top-up never set up." }),
  paymentMethods: z.array(
    z.object({
      id: z.string(),
      brand: z.string(),
      last4: z.string(),
      expMonth: z.number().int(),
      expYear: z.number().int(),
      isDefault: z.boolean(),
    }),
  ),
  webhookEndpoints: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      enabledEvents: z.array(z.string()),
      createdAt: z.string(),
      disabledAt: z.string().nullable(),
      disabledReason: z.string().nullable(),
      failedDeliveries7d: z.number().int(),
      pendingDeliveries: z.number().int(),
      lastDeliveredAt: z.string().nullable(),
    }),
  ),
  recentDocuments: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      number: z.string(),
      issuedAt: z.string(),
      currency: z.string(),
      amount: z.number().int(),
    }),
  ),
}).openapi("OperatorAccount");

const Flag = z.enum(["true", "false"]).transform((v) => v === "true");

const ListQuery = z.object({
  q: z.string().trim().min(1).max(200).optional().openapi({
    description: "Name or member email (substring, case-insensitive), account id or id prefix.",
  }),
  status: Status.optional(),
  belowZero: Flag.optional().openapi({ description: "true: only accounts whose balance is below zero." }),
  autoTopup: z.enum(["failing", "disabled_after_failures"]).optional(),
  webhookDisabled: Flag.optional().openapi({ description: "true: only accounts with a webhook endpoint turned off after failures." }),
  sort: z.enum(["created", "balance", "-balance", "last_activity"]).default("created").openapi({
    description: "created: newest first; balance: lowest first; -balance: highest first; last_activity: latest first.",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: CursorParam.optional(),
});

const list = createRoute({
  method: "get",
  path: "/operator/accounts",
  operationId: "listOperatorAccounts",
  tags: ["operator"],
  summary: "Customer accounts: search (name, member email, id or id prefix), filters and sorts, cursor-paginated",
  middleware: [requireOperator()] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(AccountSummarySchema), nextCursor: z.string().nullable() }).openapi("OperatorAccountsPage"),
      "Accounts",
    ),
    ...errorResponses,
  },
});

const read = createRoute({
  method: "get",
  path: "/operator/accounts/{id}",
  operationId: "getOperatorAccount",
  tags: ["operator"],
  summary: "One account: balance, held, overdraft, status, members, auto top-up health, saved cards, webhook endpoints, recent documents",
  middleware: [requireOperator()] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: jsonResponse(AccountDetailSchema, "The account"), ...errorResponses },
});

/** PostgreSQL's text of a timestamptz, as time-sorted cursors carry it. */
const TIMESTAMPTZ_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/;

/** GET /operator/accounts and /operator/accounts/{id} (db/operator/accounts.ts). */
export const operatorAccountsRoutes = createRouter()
  .openapi(list, async (c) => {
    const { cursor, ...query } = c.req.valid("query");
    const byBalance = query.sort === "balance" || query.sort === "-balance";
    if (cursor && (byBalance ? typeof cursor[0] !== "number" : !TIMESTAMPTZ_TEXT.test(String(cursor[0])))) {
      throw new FieldError({ field: "cursor", code: "custom", message: "invalid cursor (or one of another sort)" });
    }
    const { data, next } = await listAccounts(c.get("deps").database.sql, { ...query, after: cursor });
    return c.json({ data, nextCursor: next ? encodeCursor(next) : null }, 200);
  })
  .openapi(read, async (c) => {
    const account = await getAccountDetail(c.get("deps").database.sql, c.req.valid("param").id);
    if (!account) throw notFound("account");
    return c.json(account, 200);
  });
