import { formatMinor } from "../../../db/currency";
import type { DocumentRecord, MoneyDocumentSnapshot } from "../../../db/documents/types";
import { formatDate, formatRate, intlLocale, labelsFor } from "./labels";
import { CONTENT_WIDTH, drawFacts, drawFooter, drawParties, MARGIN, newPdf, toBuffer } from "./page";

/**
 * Renders a receipt or credit note as a one-page PDF in the document's locale, from its
 * frozen snapshot only (so it never changes). Shows what §14 (4) UStG asks of an invoice:
 * seller and buyer with addresses, the seller's VAT ID or tax number, issue date, the
 * sequential number, what was supplied and when, net amount, tax rate and tax amount,
 * gross; a credit note names the document it corrects. Same document, same bytes.
 */
export async function renderMoneyDocument(d: DocumentRecord): Promise<Buffer> {
  const s = d.snapshot as MoneyDocumentSnapshot;
  const l = labelsFor(d.locale);
  const money = (minor: number) => formatMinor(minor, d.currency, intlLocale(d.locale));
  const title = d.type === "receipt" ? l.receipt : d.amount < 0 ? l.cancellation : l.credit_note;
  const doc = newPdf({ title: `${title} ${d.number}`, issuedAt: new Date(d.issuedAt), author: s.issuer.name });

  drawParties(doc, s.issuer, s.buyer, d.locale);
  doc.font("bold").fontSize(16).text(title).moveDown(0.5).fontSize(10);
  const card = s.paymentMethod ? `${capitalize(s.paymentMethod.brand)} •••• ${s.paymentMethod.last4}` : "—";
  drawFacts(doc, [
    [l.number, d.number],
    [l.issued, formatDate(d.issuedAt, d.locale)],
    [l.supplied, formatDate(s.suppliedAt, d.locale)],
    [d.type === "receipt" ? l.paidBy : l.refundedTo, card],
    ...(s.corrects
      ? [[l.corrects, `${s.corrects.number} (${formatDate(s.corrects.issuedAt, d.locale)})`] as [string, string]]
      : []),
  ]);

  const what =
    s.reason === "topup"
      ? `${l.topup} ${d.accountId}`
      : s.reason === "refund" || s.reason === "dispute"
        ? `${l[s.reason]} ${s.corrects?.number ?? "—"})`
        : `${l[s.reason]} ${s.corrects?.number ?? "—"}`;
  const rows: [string, string][] =
    d.taxRateBp > 0
      ? [
          [l.net, money(d.netAmount)],
          [`${l.tax} ${formatRate(d.taxRateBp, d.locale)}`, money(d.taxAmount)],
        ]
      : [];
  doc.font("bold").text(l.description, MARGIN, doc.y, { width: CONTENT_WIDTH - 120 });
  doc.moveDown(0.3).font("regular");
  const y = doc.y;
  doc.text(what, MARGIN, y, { width: CONTENT_WIDTH - 130 });
  doc.text(money(d.netAmount), MARGIN + CONTENT_WIDTH - 120, y, { width: 120, align: "right" });
  doc.moveDown(1);
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(MARGIN + CONTENT_WIDTH, doc.y)
    .stroke()
    .moveDown(0.5);
  for (const [label, value] of [...rows, [l.gross, money(d.amount)] as [string, string]]) {
    const rowY = doc.y;
    doc.font(label === l.gross ? "bold" : "regular");
    doc.text(label, MARGIN + CONTENT_WIDTH - 300, rowY, { width: 170, align: "right" });
    doc.text(value, MARGIN + CONTENT_WIDTH - 120, rowY, { width: 120, align: "right" });
  }
  if (d.taxRateBp === 0) doc.moveDown(1).font("regular").text(l.noTax, MARGIN);
  drawFooter(doc, s.issuer);
  return toBuffer(doc);
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
