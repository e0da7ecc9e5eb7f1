import { Readable } from "node:stream";
import type { Sql } from "../../db/client";
import type { Issuer } from "../../db/documents/issuer";
import { loadBuyer } from "../../db/documents/buyer";
import { computeStatement, issueStatement, monthBounds, periodOf, statementEntries } from "../../db/documents/statement";
import type { DocumentRecord, StatementSnapshot } from "../../db/documents/types";
import { ApiError } from "../errors";
import { renderMoneyDocument } from "./pdf/money-document";
import { renderStatement, type StatementToRender } from "./pdf/statement";

/**
 * The HTTP response of a document's PDF: `application/pdf`, the number as the file name.
 * Receipts and credit notes are rendered whole (one page); statements are streamed.
 */
export async function pdfDownload(sql: Sql, doc: DocumentRecord): Promise<Response> {
  if (doc.type === "statement") {
    const snapshot = doc.snapshot as StatementSnapshot;
    return streamStatement(sql, { ...doc, issuedAt: new Date(doc.issuedAt), snapshot }, doc.number);
  }
  const body = await renderMoneyDocument(doc);
  return new Response(new Uint8Array(body), { status: 200, headers: pdfHeaders(doc.number, body.length) });
}

/**
 * GET /statements/{period}/pdf: a finished month's statement (issued on first request if
 * the monthly job has not yet, so it is numbered and the same at every download), or the
 * current month's interim statement computed now (not issued, not numbered).
 * @throws ApiError not_found for a month before the account existed or not begun yet
 */
export async function statementDownload(sql: Sql, issuer: Issuer, accountId: string, period: string, now: Date): Promise<Response> {
  const [account] = await sql<{ currency: string; created_at: Date }[]>`SELECT currency, created_at FROM accounts WHERE id = ${accountId}`;
  if (!account || period < periodOf(account.created_at) || monthBounds(period).from > now) {
    throw new ApiError("not_found", `No statement for ${period}: the account has no such month.`);
  }
  if (monthBounds(period).to <= now) return pdfDownload(sql, await issueStatement(sql, issuer, accountId, period, now));
  const figures = await computeStatement(sql, accountId, period, now);
  const { buyer, locale } = await loadBuyer(sql, accountId);
  const snapshot: StatementSnapshot = { ...figures, issuer, buyer };
  return streamStatement(sql, { accountId, currency: account.currency, locale, issuedAt: now, snapshot }, `statement-${period}-interim`);
}

function streamStatement(sql: Sql, s: Omit<StatementToRender, "number"> & { number?: string }, fileName: string): Response {
  const pdf = renderStatement({ ...s, number: s.number ?? null }, statementEntries(sql, s.accountId, s.snapshot));
  return new Response(Readable.toWeb(pdf) as ReadableStream<Uint8Array>, { status: 200, headers: pdfHeaders(fileName) });
}

/** Headers of a PDF download named `<name>.pdf`; private (documents are the account's), never stale. */
export function pdfHeaders(name: string, length?: number): Record<string, string> {
  return {
    "content-type": "application/pdf",
    "content-disposition": `attachment; filename="${name}.pdf"`,
    "cache-control": "private, no-cache",
    ...(length !== undefined ? { "content-length": String(length) } : {}),
  };
}
