import type { Queryable } from "../client";
import { loadBuyer } from "./buyer";
import { insertDocument, yearOf } from "./insert-document";
import type { Issuer } from "./issuer";
import type { DocumentRecord, DocumentRow, MoneyDocumentSnapshot } from "./types";

export interface ReversalForDocument {
  /** payment_reversals.id */
  id: string;
  topupId: string;
  accountId: string;
  kind: "refund" | "refund_failed" | "dispute" | "dispute_won";
  providerRef: string;
  /** What the provider moved, minor units (> 0). */
  amount: number;
  currency: string;
}

/**
 * Issues the credit note `C-<year>-NNNNNN` of a payment reversal inside its transaction
 * (db/ledger/reverse-payment.ts postReversal):
 * - `refund` and `dispute` (money went back to the card): a credit note over what the
 *   provider moved, correcting the top-up's receipt, at the receipt's tax rate;
 * - `refund_failed` and `dispute_won` (the money came back to the platform): a credit note
 *   with the negative amount that cancels the credit note of that refund or dispute.
 * @returns null when there is nothing to correct (a top-up settled before receipts existed)
 */
export async function issueCreditNote(
  tx: Queryable,
  issuer: Issuer,
  r: ReversalForDocument,
): Promise<DocumentRecord | null> {
  const cancels = r.kind === "refund_failed" || r.kind === "dispute_won";
  const corrected = cancels ? await originalCreditNote(tx, r) : await receiptOf(tx, r.topupId);
  if (!corrected) return null;
  const issuedAt = new Date();
  const { buyer, locale } = await loadBuyer(tx, r.accountId);
  const original = corrected.snapshot as MoneyDocumentSnapshot;
  return insertDocument(tx, issuer, {
    accountId: r.accountId,
    type: "credit_note",
    series: `C-${yearOf(issuedAt)}`,
    issuedAt,
    currency: r.currency,
    amount: cancels ? -corrected.amount : r.amount,
    taxRateBp: corrected.tax_rate_bp,
    locale,
    topupId: r.topupId,
    reversalId: r.id,
    correctsDocumentId: corrected.id,
    snapshot: {
      kind: "money",
      reason: r.kind,
      issuer,
      buyer,
      paymentMethod: original.paymentMethod,
      suppliedAt: original.suppliedAt,
      corrects: { number: corrected.number, issuedAt: corrected.issued_at.toISOString() },
    },
  });
}

async function receiptOf(tx: Queryable, topupId: string): Promise<DocumentRow | null> {
  const [row] = await tx<DocumentRow[]>`SELECT * FROM documents WHERE type = 'receipt' AND topup_id = ${topupId}`;
  return row ?? null;
}

/** The credit note of the refund or dispute that a refund_failed or dispute_won takes back (same provider ref). */
async function originalCreditNote(tx: Queryable, r: ReversalForDocument): Promise<DocumentRow | null> {
  const [row] = await tx<DocumentRow[]>`
    SELECT d.* FROM documents d JOIN payment_reversals p ON p.id = d.reversal_id
     WHERE p.topup_id = ${r.topupId} AND p.provider_ref = ${r.providerRef}
       AND p.kind = ${r.kind === "refund_failed" ? "refund" : "dispute"}`;
  return row ?? null;
}
