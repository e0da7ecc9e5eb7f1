import type { Queryable } from "../client";
import { toDocumentRecord, type DocumentRecord, type DocumentRow, type DocumentType } from "./types";

/** Where a page of documents continues: below this (issuedAt, id), newest first. */
export interface DocumentCursor {
  issuedAt: Date;
  id: string;
}

/**
 * The account's documents, newest first (issued_at, then id), optionally of one type
 * and of some top-ups (`topupIds`: their receipts and the credit notes that cancel them),
 * below `before`; at most `limit` (the caller bounds it). Uses documents_account_idx.
 */
export async function listDocuments(
  q: Queryable,
  input: { accountId: string; type?: DocumentType; topupIds?: string[]; before?: DocumentCursor; limit: number },
): Promise<DocumentRecord[]> {
  const rows = await q<DocumentRow[]>`
    SELECT * FROM documents
     WHERE account_id = ${input.accountId}
       ${input.type ? q`AND type = ${input.type}` : q``}
       ${input.topupIds ? q`AND topup_id IN ${q(input.topupIds)}` : q``}
       ${input.before ? q`AND (issued_at, id) < (${input.before.issuedAt}, ${input.before.id})` : q``}
     ORDER BY issued_at DESC, id DESC
     LIMIT ${input.limit}`;
  return rows.map(toDocumentRecord);
}

/** One of the account's documents; null when there is none with this id on this account (other tenants' too). */
export async function getDocument(q: Queryable, accountId: string, id: string): Promise<DocumentRecord | null> {
  const [row] = await q<DocumentRow[]>`SELECT * FROM documents WHERE id = ${id} AND account_id = ${accountId}`;
  return row ? toDocumentRecord(row) : null;
}
