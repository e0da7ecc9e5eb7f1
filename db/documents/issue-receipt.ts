import type { Queryable } from "../client";
import { loadBuyer } from "./buyer";
import { insertDocument, yearOf } from "./insert-document";
import type { Issuer } from "./issuer";
import type { DocumentRecord } from "./types";

export interface ReceiptInput {
  topupId: string;
  accountId: string;
  /** Gross paid, minor units. */
  amount: number;
  currency: string;
  /** The card the payment used when the provider said (a checkout that saved it). */
  card: { brand: string; last4: string } | null;
  /** The saved card an off-session charge used (one-click, auto top-up), read when `card` is null. */
  paymentMethodId: string | null;
}

/**
 * Issues the receipt `R-<year>-NNNNNN` of a top-up that is being settled, inside the
 * settlement's transaction (db/ledger/settle-topup.ts), so a top-up is credited if and
 * only if it has its receipt. Freezes issuer, buyer (billing details now), amounts
 * (net/tax at the issuer's rate), card and locale into the document.
 */
export async function issueReceipt(tx: Queryable, issuer: Issuer, input: ReceiptInput): Promise<DocumentRecord> {
  const issuedAt = new Date();
  const { buyer, locale } = await loadBuyer(tx, input.accountId);
  const card = input.card ?? (await savedCard(tx, input.paymentMethodId));
  return insertDocument(tx, issuer, {
    accountId: input.accountId,
    type: "receipt",
    series: `R-${yearOf(issuedAt)}`,
    issuedAt,
    currency: input.currency,
    amount: input.amount,
    taxRateBp: issuer.taxRateBp,
    locale,
    topupId: input.topupId,
    snapshot: {
      kind: "money",
      reason: "topup",
      issuer,
      buyer,
      paymentMethod: card,
      suppliedAt: issuedAt.toISOString(),
      corrects: null,
    },
  });
}

async function savedCard(
  tx: Queryable,
  paymentMethodId: string | null,
): Promise<{ brand: string; last4: string } | null> {
  if (!paymentMethodId) return null;
  const [row] = await tx<
    { brand: string; last4: string }[]
  >`SELECT brand, last4 FROM payment_methods WHERE id = ${paymentMethodId}`;
  return row ? { brand: row.brand, last4: row.last4 } : null;
}
