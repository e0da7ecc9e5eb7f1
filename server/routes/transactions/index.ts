import { createRoute, z } from "@hono/zod-openapi";
import { listEntries } from "../../../db/ledger/list-entries";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { toEntryFilter, TransactionFilters } from "./filters";
import { jsonResponse, LedgerEntrySchema } from "../schemas";

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

const Query = TransactionFilters.extend({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: Cursor.optional().openapi({ type: "string", description: "nextCursor of the previous page" }),
});

const TransactionsPage = z
  .object({ data: z.array(LedgerEntrySchema), nextCursor: z.string().nullable() })
  .openapi("TransactionsPage");

const list = createRoute({
  method: "get",
  path: "/transactions",
  operationId: "listTransactions",
  tags: ["balance"],
  summary: "Ledger entries of the account, newest first, cursor-paginated",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: { query: Query },
  responses: { 200: jsonResponse(TransactionsPage, "A page of entries") },
});

export const transactionsRoutes = createRouter().openapi(list, async (c) => {
  const q = c.req.valid("query");
  const data = await listEntries(c.get("deps").database.sql, {
    accountId: c.get("accountId"),
    limit: q.limit + 1,
    beforeSequence: q.cursor,
    ...toEntryFilter(q),
  });
  const page = data.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor = data.length > q.limit && last ? encodeCursor(last.sequence) : null;
  return c.json({ data: page, nextCursor }, 200);
});
