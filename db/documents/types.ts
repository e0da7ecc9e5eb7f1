import type { Buyer, DocumentLocale } from "./buyer";
import type { Issuer } from "./issuer";

export type DocumentType = "receipt" | "credit_note" | "statement";

/** Why a receipt or credit note was issued. */
export type DocumentReason = "topup" | "refund" | "dispute" | "refund_failed" | "dispute_won";

/** What a receipt or credit note shows beyond its columns, frozen at issue (documents.snapshot). */
export interface MoneyDocumentSnapshot {
  kind: "money";
  reason: DocumentReason;
  issuer: Issuer;
  buyer: Buyer;
  /** The card that paid (receipts) or was paid back (credit notes); null when unknown. */
  paymentMethod: { brand: string; last4: string } | null;
  /** When the supply took place (§14 (4) Nr. 6 UStG): the top-up's settlement, ISO 8601. */
  suppliedAt: string;
  /** The document this one corrects: number and issue time. */
  corrects: { number: string; issuedAt: string } | null;
}

/** A statement's figures, frozen at issue (minor units). Entries are read from the ledger when rendering. */
export interface StatementSnapshot {
  kind: "statement";
  issuer: Issuer;
  buyer: Buyer;
  /** The month, `YYYY-MM`, and its bounds (UTC, ISO 8601; `to` exclusive). */
  period: string;
  from: string;
  to: string;
  openingBalance: number;
  closingBalance: number;
  /** Sum of the amounts per ledger entry type (signed minor units), and entry counts. */
  totals: { type: string; amount: number; count: number }[];
  entryCount: number;
  /** Sequences of the month's first and last entries (null when none). */
  firstSequence: number | null;
  lastSequence: number | null;
  /** True for the current month: it may still change. Only issued documents are final. */
  interim: boolean;
}

/** A document as the API shows it. Amounts in minor units. */
export interface DocumentRecord {
  id: string;
  accountId: string;
  type: DocumentType;
  number: string;
  issuedAt: string;
  currency: string;
  /** Gross. */
  amount: number;
  netAmount: number;
  taxAmount: number;
  taxRateBp: number;
  locale: DocumentLocale;
  topupId: string | null;
  correctsDocumentId: string | null;
  period: string | null;
  snapshot: MoneyDocumentSnapshot | StatementSnapshot;
}

export interface DocumentRow {
  id: string;
  account_id: string;
  type: DocumentType;
  number: string;
  issued_at: Date;
  currency: string;
  amount: number;
  net_amount: number;
  tax_amount: number;
  tax_rate_bp: number;
  locale: DocumentLocale;
  topup_id: string | null;
  corrects_document_id: string | null;
  period: string | null;
  snapshot: MoneyDocumentSnapshot | StatementSnapshot;
}

/** Maps a `documents` row to the API shape. */
export const toDocumentRecord = (r: DocumentRow): DocumentRecord => ({
  id: r.id,
  accountId: r.account_id,
  type: r.type,
  number: r.number,
  issuedAt: r.issued_at.toISOString(),
  currency: r.currency,
  amount: r.amount,
  netAmount: r.net_amount,
  taxAmount: r.tax_amount,
  taxRateBp: r.tax_rate_bp,
  locale: r.locale,
  topupId: r.topup_id,
  correctsDocumentId: r.corrects_document_id,
  period: r.period,
  snapshot: r.snapshot,
});
