import { createRoute, z } from "@hono/zod-openapi";
import type { Sql } from "../../../db/client";
import { getDocument, listDocuments } from "../../../db/documents/list-documents";
import type { DocumentRecord } from "../../../db/documents/types";
import { pdfDownload, statementDownload } from "../../documents/download";
import { ApiError } from "../../errors";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonResponse } from "../schemas";
import { DocumentDetailSchema, DocumentSchema, pdfResponse } from "./schemas";

/** Cursors are opaque to clients; inside, the (issuedAt, id) to continue below. */
const encodeCursor = (d: DocumentRecord) => Buffer.from(`${d.issuedAt}|${d.id}`).toString("base64url");
const Cursor = z.string().transform((s, ctx) => {
  const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(doc_[0-9a-z]{26})$/.exec(Buffer.from(s, "base64url").toString());
  if (!m) {
    ctx.addIssue({ code: "custom", message: "invalid cursor" });
    return z.NEVER;
  }
  return { issuedAt: new Date(m[1]!), id: m[2]! };
});

/** "a,b,c" -> the distinct ids (1..100 of them, each 1..64 characters). */
const TopupIds = z
  .string()
  .transform((value) => [...new Set(value.split(","))])
  .pipe(z.array(z.string().min(1).max(64)).min(1).max(100));

const auth = requireAuth({ session: {}, apiKeyScope: "balance:read" });
const IdParam = z.object({ id: z.string().max(64) });

const list = createRoute({
  method: "get",
  path: "/documents",
  operationId: "listDocuments",
  tags: ["documents"],
  summary: "Receipts, credit notes and statements of the account, newest first, cursor-paginated",
  middleware: [auth] as const,
  request: {
    query: z.object({
      type: DocumentSchema.shape.type.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(25),
      cursor: Cursor.optional().openapi({ type: "string", description: "nextCursor of the previous page" }),
      topupId: TopupIds.optional().openapi({
        type: "string",
        description: "Only the documents of these top-ups (comma-separated ids, at most 100): a top-up's receipt",
        example: "top_1,top_2",
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(DocumentSchema), nextCursor: z.string().nullable() }).openapi("DocumentsPage"),
      "A page of documents",
    ),
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/documents/{id}",
  operationId: "getDocument",
  tags: ["documents"],
  summary: "One document with what it shows (issuer, buyer, payment method, figures), as frozen at issue",
  middleware: [auth] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(DocumentDetailSchema, "The document"), ...errorResponses },
});

const pdf = createRoute({
  method: "get",
  path: "/documents/{id}/pdf",
  operationId: "getDocumentPdf",
  tags: ["documents"],
  summary: "The document as PDF in its locale; the same bytes at every download",
  middleware: [auth] as const,
  request: { params: IdParam },
  responses: { 200: pdfResponse("The PDF"), ...errorResponses },
});

/** A document of the caller's account, or 404 (also for other tenants' ids). */
async function ownDocument(sql: Sql, accountId: string, id: string): Promise<DocumentRecord> {
  const found = await getDocument(sql, accountId, id);
  if (!found) throw new ApiError("not_found", `No document ${id}.`);
  return found;
}

/** Strips the snapshot from a record for list views. */
const summary = ({ snapshot: _snapshot, accountId: _accountId, ...rest }: DocumentRecord) => rest;

/** GET /documents, /documents/{id}, /documents/{id}/pdf. */
export const documentsRoutes = createRouter()
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const rows = await listDocuments(c.get("deps").database.sql, {
      accountId: c.get("accountId"),
      type: q.type,
      topupIds: q.topupId,
      before: q.cursor,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? encodeCursor(page.at(-1)!) : null;
    return c.json({ data: page.map(summary), nextCursor }, 200);
  })
  .openapi(get, async (c) => {
    const { accountId: _accountId, ...doc } = await ownDocument(
      c.get("deps").database.sql,
      c.get("accountId"),
      c.req.valid("param").id,
    );
    return c.json(doc as unknown as z.infer<typeof DocumentDetailSchema>, 200);
  })
  .openapi(pdf, async (c) => {
    const doc = await ownDocument(c.get("deps").database.sql, c.get("accountId"), c.req.valid("param").id);
    return pdfDownload(c.get("deps").database.sql, doc);
  });

const statementPdf = createRoute({
  method: "get",
  path: "/statements/{period}/pdf",
  operationId: "getStatementPdf",
  tags: ["documents"],
  summary: "A month's statement as PDF: issued (numbered, final) for a finished month, interim for the current one",
  description:
    "Opening balance, every ledger entry of the month in order, totals per entry type, closing balance. " +
    "A finished month's statement is issued on first request (if the monthly job has not yet) and never changes.",
  middleware: [auth] as const,
  request: { params: z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be YYYY-MM").openapi({ example: "2026-11" }) }) },
  responses: { 200: pdfResponse("The PDF (streamed)"), ...errorResponses },
});

/** GET /statements/{period}/pdf (server/documents/download.ts). */
export const statementsRoutes = createRouter().openapi(statementPdf, async (c) => {
  const deps = c.get("deps");
  return statementDownload(deps.database.sql, deps.ledger.issuer, c.get("accountId"), c.req.valid("param").period, new Date());
});
