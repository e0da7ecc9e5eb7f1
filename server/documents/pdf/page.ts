import PDFDocument from "pdfkit";
import type { Buyer, DocumentLocale } from "../../../db/documents/buyer";
import type { Issuer } from "../../../db/documents/issuer";
import { registerFonts } from "./fonts";
import { labelsFor } from "./labels";

/** A4 with 50 pt margins; the footer band is kept free of content. */
export const MARGIN = 50;
export const FOOTER_HEIGHT = 40;
export const PAGE_WIDTH = 595.28;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

/**
 * A new A4 document with the embedded fonts ("regular", "bold") and fixed metadata:
 * CreationDate is the document's issue time and pdfkit derives the file ID from it, so
 * rendering the same document twice gives the same bytes.
 */
export function newPdf(meta: { title: string; issuedAt: Date; author: string }): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: false,
    info: {
      Title: meta.title,
      Author: meta.author,
      Producer: "live-balance",
      Creator: "live-balance",
      CreationDate: meta.issuedAt,
    },
  });
  registerFonts(doc);
  doc.font("regular").fontSize(10);
  return doc;
}

/** The seller block (top left), a DEMO banner for the demo issuer, and the buyer block below. */
export function drawParties(doc: PDFKit.PDFDocument, issuer: Issuer, buyer: Buyer, locale: DocumentLocale): void {
  const l = labelsFor(locale);
  if (issuer.demo) doc.font("bold").fontSize(9).fillColor("#b00020").text(l.demo).fillColor("black").moveDown(0.5);
  doc.font("bold").fontSize(12).text(issuer.name);
  doc.font("regular").fontSize(9);
  for (const line of issuer.addressLines) doc.text(line);
  if (issuer.vatId) doc.text(`${l.vatId}: ${issuer.vatId}`);
  if (issuer.taxNumber) doc.text(`${l.taxNumber}: ${issuer.taxNumber}`);
  doc.moveDown(1.5).fontSize(10);
  doc.font("bold").text(buyer.name).font("regular");
  for (const line of buyer.addressLines) doc.text(line);
  if (buyer.country) doc.text(new Intl.DisplayNames([locale], { type: "region" }).of(buyer.country) ?? buyer.country);
  if (buyer.vatId) doc.text(`${l.customerVatId}: ${buyer.vatId}`);
  doc.moveDown(1.5);
}

/** Label/value rows (number, dates, ...) in two columns. */
export function drawFacts(doc: PDFKit.PDFDocument, facts: [string, string][]): void {
  for (const [label, value] of facts) {
    const y = doc.y;
    doc.font("regular").text(label, MARGIN, y, { width: 150 });
    doc.text(value, MARGIN + 160, y, { width: CONTENT_WIDTH - 160 });
  }
  doc.moveDown(1);
}

/** The issuer's footer text at the bottom of the current page. */
export function drawFooter(doc: PDFKit.PDFDocument, issuer: Issuer): void {
  if (!issuer.footer) return;
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0; // writing inside the margin must not start a new page
  doc.font("regular").fontSize(7).fillColor("#555555");
  doc.text(issuer.footer, MARGIN, doc.page.height - MARGIN - FOOTER_HEIGHT / 2, {
    width: CONTENT_WIDTH,
    align: "center",
  });
  doc.fillColor("black").fontSize(10);
  doc.page.margins.bottom = bottom;
}

/** Collects a finished PDF into one Buffer (small documents: receipts, credit notes). */
export function toBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.end();
  });
}
