import type { Queryable } from "../client";
import { newId } from "../ids";
import type { DocumentLocale } from "./buyer";
import type { Issuer } from "./issuer";
import { nextDocumentNumber } from "./numbering";
import { splitGross } from "./tax";
import {
  toDocumentRecord,
  type DocumentRecord,
  type DocumentRow,
  type DocumentType,
  type MoneyDocumentSnapshot,
  type StatementSnapshot,
} from "./types";

export interface NewDocument {
  accountId: string;
  type: DocumentType;
  /** Number prefix without the running number: `R-2026`, `C-2026`, `S-2026-11`. */
  series: string;
  issuedAt: Date;
  currency: string;
  /** Gross, minor units; split into net and tax at `taxRateBp`. */
  amount: number;
  taxRateBp: number;
  locale: DocumentLocale;
  topupId?: string | null;
  reversalId?: string | null;
  correctsDocumentId?: string | null;
  period?: string | null;
  snapshot: MoneyDocumentSnapshot | StatementSnapshot;
}

/**
 * Numbers and inserts one document inside the caller's transaction (the number is
 * taken last, just before the insert, so the counter row is locked as briefly as the
 * transaction allows). Unique indexes make a second receipt for one top-up, a second
 * credit note for one reversal or a second statement for one month fail.
 */
export async function insertDocument(tx: Queryable, issuer: Issuer, doc: NewDocument): Promise<DocumentRecord> {
  const { net, tax } = splitGross(doc.amount, doc.taxRateBp);
  const number = await nextDocumentNumber(tx, issuer.key, doc.series);
  const [row] = await tx<DocumentRow[]>`
    INSERT INTO documents (id, account_id, type, issuer_key, number, issued_at, currency, amount, net_amount, tax_amount,
                           tax_rate_bp, locale, topup_id, reversal_id, corrects_document_id, period, snapshot)
    VALUES (${newId("doc")}, ${doc.accountId}, ${doc.type}, ${issuer.key}, ${number}, ${doc.issuedAt}, ${doc.currency},
            ${doc.amount}, ${net}, ${tax}, ${doc.taxRateBp}, ${doc.locale}, ${doc.topupId ?? null}, ${doc.reversalId ?? null},
            ${doc.correctsDocumentId ?? null}, ${doc.period ?? null},
            ${tx.json(doc.snapshot as unknown as Parameters<typeof tx.json>[0])}::jsonb)
    RETURNING *`;
  return toDocumentRecord(row!);
}

/** The calendar year (UTC) of `at`: receipts and credit notes restart their numbers each year. */
export const yearOf = (at: Date) => String(at.getUTCFullYear());
