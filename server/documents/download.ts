import type { Sql } from "../../db/client";
import type { DocumentRecord } from "../../db/documents/types";
import { renderMoneyDocument } from "./pdf/money-document";

/**
 * The HTTP response of a document's PDF: `application/pdf`, the number as the file name,
 * cacheable by the browser only (documents never change, but they are private).
 */
export async function pdfDownload(_sql: Sql, doc: DocumentRecord): Promise<Response> {
  const body = await renderMoneyDocument(doc);
  return new Response(new Uint8Array(body), { status: 200, headers: pdfHeaders(doc.number, body.length) });
}

/** Headers of a PDF download named `<name>.pdf`. */
export function pdfHeaders(name: string, length?: number): Record<string, string> {
  return {
    "content-type": "application/pdf",
    "content-disposition": `attachment; filename="${name}.pdf"`,
    "cache-control": "private, max-age=0",
    ...(length !== undefined ? { "content-length": String(length) } : {}),
  };
}
