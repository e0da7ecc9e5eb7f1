import type { HttpBindings } from "@hono/node-server";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listEntries } from "../../../db/ledger/list-entries";
import type { AppDeps, AppEnv } from "../../context";
import { notFound } from "../../middleware/errors";
import { requireOperator } from "../../middleware/operator";
import { registerOperation } from "../../openapi/route-docs";
import { respondWithBalanceStream } from "../../sse/respond";
import { createRouter } from "../router";
import { errorResponses, Id, jsonResponse } from "../schemas";
import { TransactionsPage, TransactionsQuery, pageOf } from "../transactions/index";
import { toEntryFilter } from "../transactions/filters";

const Params = z.object({ id: Id });

/** 404 unless `id` is a customer account (system accounts are not the console's to browse). */
async function requireCustomerAccount(deps: AppDeps, id: string): Promise<void> {
  const [row] = await deps.database.sql`SELECT 1 FROM accounts WHERE id = ${id} AND kind = 'customer'`;
  if (!row) throw notFound("account");
}

const transactions = createRoute({
  method: "get",
  path: "/operator/accounts/{id}/transactions",
  operationId: "listAccountTransactions",
  tags: ["operator"],
  summary: "An account's ledger entries, newest first, cursor-paginated (the filters of GET /transactions)",
  middleware: [requireOperator()] as const,
  request: { params: Params, query: TransactionsQuery },
  responses: { 200: jsonResponse(TransactionsPage, "A page of entries"), ...errorResponses },
});

/** GET /operator/accounts/{id}/transactions: the customer's own ledger list, read by an operator. */
export const operatorTransactionsRoutes = createRouter().openapi(transactions, async (c) => {
  const { id } = c.req.valid("param");
  await requireCustomerAccount(c.get("deps"), id);
  const q = c.req.valid("query");
  const rows = await listEntries(c.get("deps").database.sql, {
    accountId: id,
    limit: q.limit + 1,
    beforeSequence: q.cursor,
    ...toEntryFilter(q),
  });
  return c.json(pageOf(rows, q.limit), 200);
});

const streamAuth = requireOperator();
const router = new OpenAPIHono<AppEnv & { Bindings: Partial<HttpBindings> }>();
registerOperation(router, {
  method: "get",
  path: "/operator/accounts/{id}/events",
  operationId: "streamAccountEvents",
  tags: ["operator"],
  summary: "One account's live balance, entries and notices for the console (Server-Sent Events, the protocol of GET /events)",
  middleware: streamAuth,
  request: { params: Params },
  responses: {
    200: {
      description: "The event stream (open until the client leaves)",
      content: { "text/event-stream": { schema: z.string().openapi({ description: "SSE frames as GET /events." }) } },
    },
  },
});

/**
 * GET /operator/accounts/{id}/events: the stream of GET /events for any customer account, so
 * the console's account page moves live (same protocol, same sinks; no Last-Event-ID replay:
 * the console refetches on reconnect).
 */
export const operatorEventsRoutes = router.get("/operator/accounts/:id/events", streamAuth, async (c) => {
  const id = c.req.param("id");
  if (!Id.safeParse(id).success) throw notFound("account");
  await requireCustomerAccount(c.get("deps"), id);
  return respondWithBalanceStream(c, { deps: c.get("deps"), accountId: id, lastEventId: null, requestId: c.get("requestId") });
});
