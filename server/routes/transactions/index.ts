import { createRoute, z } from "@hono/zod-openapi";
import { getEntryDetails } from "../../../db/ledger/get-entry";
import { listEntries } from "../../../db/ledger/list-entries";
import type { LedgerEntry } from "../../../db/ledger/types";
import { notFound } from "../../middleware/errors";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { toEntryFilter, TransactionFilters } from "./filters";
import { errorResponses, Id, jsonResponse, LedgerEntrySchema } from "../schemas";

/** Cursors are opaque to clients; inside, the sequence to continue below. */
const encodeCursor = (sequence: number) => Buffer.from(`s:${sequence}`).toString("base64url");
const Cursor = z
  .string()
  .transform((s, ctx) => {
    const m = /^s:(\d{1,15})$/.exec(Buffer.from(s, "base64url").toString());
    if (!m) {
      ctx.addIssue({ code: "custom", message: "invalid cursor" });
      return z.NEVER;
    }
    return Number(m[1]);
  });

/** GET /transactions query: the filters, limit 1..100, cursor. */
export const TransactionsQuery = TransactionFilters.extend({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: Cursor.optional().openapi({ type: "string", description: "nextCursor of the previous page" }),
});

export const TransactionsPage = z
  .object({ data: z.array(LedgerEntrySchema), nextCursor: z.string().nullable() })
  .openapi("TransactionsPage");

const list = createRoute({
  method: "get",
  path: "/transactions",
  operationId: "listTransactions",
  tags: ["balance"],
  summary: "Ledger entries of the account, newest first, cursor-paginated",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: { query: TransactionsQuery },
  responses: { 200: jsonResponse(TransactionsPage, "A page of entries") },
});

const TransactionDetails = LedgerEntrySchema.extend({
  topup: z
    .object({
      id: z.string(),
      kind: z.enum(["checkout", "saved_card", "auto"]).openapi({
        description: "checkout (hosted page), saved_card (one click) or auto (auto top-up).",
      }),
      status: z.string(),
      amount: z.number().int(),
      card: z
        .object({ brand: z.string(), last4: z.string() })
        .nullable()
        .openapi({ description: "The saved card charged; null for a hosted checkout or a card since removed." }),
      createdAt: z.string().openapi({ format: "date-time" }),
    })
    .nullable()
    .openapi({ description: "The top-up this entry settled (type topup), else null." }),
  hold: z
    .object({
      id: z.string(),
      amount: z.number().int().openapi({ description: "Minor units reserved." }),
      capturedAmount: z.number().int().nullable(),
      description: z.string().nullable(),
      createdAt: z.string().openapi({ format: "date-time" }),
      expiresAt: z.string().openapi({ format: "date-time" }),
    })
    .nullable()
    .openapi({ description: "The hold this entry captured (type capture), else null." }),
}).openapi("TransactionDetails");

const detail = createRoute({
  method: "get",
  path: "/transactions/{id}",
  operationId: "getTransaction",
  tags: ["balance"],
  summary: "One ledger entry with the top-up it settled (kind, card) or the hold it captured",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: jsonResponse(TransactionDetails, "The entry"), ...errorResponses },
});

export const transactionsRoutes = createRouter().openapi(detail, async (c) => {
  const entry = await getEntryDetails(c.get("deps").database.sql, c.get("accountId"), c.req.valid("param").id);
  if (!entry) throw notFound("transaction");
  return c.json(entry, 200);
}).openapi(list, async (c) => {
  const q = c.req.valid("query");
  const data = await listEntries(c.get("deps").database.sql, {
    accountId: c.get("accountId"),
    limit: q.limit + 1,
    beforeSequence: q.cursor,
    ...toEntryFilter(q),
  });
  return c.json(pageOf(data, q.limit), 200);
});

/** A page of `limit` entries from `limit + 1` read, with the cursor of the next page (null on the last). */
export function pageOf(rows: LedgerEntry[], limit: number): { data: LedgerEntry[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.sequence) : null };
}
