import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { paymentReversals } from "./payment-reversals";
import { topups } from "./topups";

/**
 * Money documents (db/documents/README.md): receipts for settled top-ups, credit notes
 * for refunds and disputes, monthly statements. Append-only like the ledger (triggers
 * reject UPDATE, DELETE, TRUNCATE): what a document shows is frozen at issue in
 * `snapshot` (issuer, buyer, payment method, lines), so later changes to billing details
 * or the issuer configuration change no issued document. `number` is gap-free per
 * issuer and series (document_counters). Amounts in minor units of `currency`: `amount`
 * is the gross (a credit note's is what went back; a cancelling one's is negative).
 */
export const documents = pgTable(
  "documents",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    type: text("type", { enum: ["receipt", "credit_note", "statement"] }).notNull(),
    issuerKey: text("issuer_key").notNull(),
    number: text("number").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull().defaultNow(),
    currency: text("currency").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    netAmount: bigint("net_amount", { mode: "number" }).notNull(),
    taxAmount: bigint("tax_amount", { mode: "number" }).notNull(),
    /** Tax rate in basis points (1900 = 19 %); 0 = no tax lines. */
    taxRateBp: integer("tax_rate_bp").notNull(),
    locale: text("locale", { enum: ["en", "de"] }).notNull(),
    topupId: text("topup_id").references(() => topups.id),
    reversalId: text("reversal_id").references(() => paymentReversals.id),
    /** The receipt a credit note corrects, or the credit note a cancelling one reverses. */
    correctsDocumentId: text("corrects_document_id"),
    /** Statements: the month, `YYYY-MM`. */
    period: text("period"),
    snapshot: jsonb("snapshot").notNull(),
  },
  (t) => [
    uniqueIndex("documents_issuer_number_idx").on(t.issuerKey, t.number),
    uniqueIndex("documents_receipt_topup_idx")
      .on(t.topupId)
      .where(sql`${t.type} = 'receipt'`),
    uniqueIndex("documents_reversal_idx").on(t.reversalId),
    uniqueIndex("documents_statement_period_idx")
      .on(t.accountId, t.period)
      .where(sql`${t.type} = 'statement'`),
    index("documents_account_idx").on(t.accountId, t.issuedAt, t.id),
    check("documents_gross_is_net_plus_tax", sql`${t.amount} = ${t.netAmount} + ${t.taxAmount}`),
    check("documents_tax_rate_range", sql`${t.taxRateBp} >= 0 AND ${t.taxRateBp} <= 10000`),
    check(
      "documents_period_format",
      sql`(${t.type} = 'statement') = (${t.period} IS NOT NULL AND ${t.period} ~ '^\\d{4}-(0[1-9]|1[0-2])$')`,
    ),
  ],
);

/**
 * The last number issued per issuer and series (`R-2026`, `C-2026`, `S-2026-11`). A
 * document's transaction increments its row (`INSERT ... ON CONFLICT DO UPDATE ...
 * RETURNING`, which locks it until commit), so numbers are consecutive: a rolled-back
 * transaction's increment is rolled back with it, and concurrent issuers queue on the row.
 */
export const documentCounters = pgTable(
  "document_counters",
  {
    issuerKey: text("issuer_key").notNull(),
    series: text("series").notNull(),
    lastNumber: integer("last_number").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuerKey, t.series] })],
);
