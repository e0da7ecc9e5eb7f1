import { setTimeout as sleep } from "node:timers/promises";
import { formatMinor } from "../../../db/currency";
import type { DocumentLocale } from "../../../db/documents/buyer";
import type { StatementSnapshot } from "../../../db/documents/types";
import type { LedgerEntry } from "../../../db/ledger/types";
import { formatDate, intlLocale, labelsFor } from "./labels";
import { drawFacts, drawFooter, drawParties, FOOTER_HEIGHT, MARGIN, newPdf } from "./page";

export interface StatementToRender {
  accountId: string;
  /** Null for an interim statement (the current month: not issued, not numbered). */
  number: string | null;
  issuedAt: Date;
  currency: string;
  locale: DocumentLocale;
  snapshot: StatementSnapshot;
}

/** Bytes of rendered PDF allowed to wait for a slow reader before rendering pauses: 1 MiB (bounded memory). */
const MAX_UNREAD_BYTES = 1024 * 1024;

/** Columns of the entry table: date, type, description, amount, balance (x offsets and widths, pt). */
const COLUMNS = { date: [0, 70], type: [72, 80], description: [154, 181], amount: [337, 79], balance: [418, 77] } as const;

/**
 * Renders a statement as a PDF stream: header (parties, period, number or "interim"),
 * opening balance, every entry of the month in sequence order, totals per entry type and
 * the closing balance. Entries come from `entries` (a cursor over the ledger), pages are
 * written as they fill, and rendering waits while more than MAX_UNREAD_BYTES of output are
 * unread, and the fonts' layout caches are emptied at each page break, so a month of any
 * size renders in bounded memory (time grows with it: fontkit shapes each new word, about
 * 0.1 ms). The returned document is the stream.
 */
export function renderStatement(s: StatementToRender, entries: AsyncIterable<LedgerEntry>): PDFKit.PDFDocument {
  const l = labelsFor(s.locale);
  const money = (minor: number) => formatMinor(minor, s.currency, intlLocale(s.locale));
  const day = new Intl.DateTimeFormat(intlLocale(s.locale), { dateStyle: "medium", timeZone: "UTC" });
  const snap = s.snapshot;
  const doc = newPdf({ title: `${l.statement} ${s.number ?? snap.period}`, issuedAt: s.issuedAt, author: snap.issuer.name });
  const bottom = () => doc.page.height - MARGIN - FOOTER_HEIGHT;
  // Cells are written without pdfkit's line wrapper (it measures word by word, ~3 ms a row):
  // descriptions are cut to fit, right-aligned cells placed by their measured width.
  const row = (cells: Record<keyof typeof COLUMNS, string>, bold = false) => {
    const y = doc.y;
    doc.font(bold ? "bold" : "regular").fontSize(8);
    for (const key of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) {
      const [x, width] = COLUMNS[key];
      const text = fitTo(doc, cells[key], width);
      const left = key === "amount" || key === "balance" ? x + width - doc.widthOfString(text) : x;
      doc.text(text, MARGIN + left, y, { lineBreak: false });
    }
    doc.x = MARGIN;
    doc.y = y + 12;
  };
  const header = () =>
    row({ date: l.date, type: l.type, description: l.description, amount: l.amount, balance: l.balance }, true);

  const write = async () => {
    drawParties(doc, snap.issuer, snap.buyer, s.locale);
    doc.font("bold").fontSize(16).text(l.statement).fontSize(10).moveDown(0.5);
    if (snap.interim) doc.font("bold").fillColor("#b00020").text(l.interim).fillColor("black").moveDown(0.5);
    const last = new Date(new Date(snap.to).getTime() - 1);
    drawFacts(doc, [
      ...(s.number ? [[l.number, s.number] as [string, string]] : []),
      [l.period, `${formatDate(snap.from, s.locale)} – ${formatDate(last, s.locale)}`],
      [l.account, s.accountId],
      [l.issued, formatDate(s.issuedAt, s.locale)],
      [l.opening, money(snap.openingBalance)],
      [l.closing, money(snap.closingBalance)],
      [l.entries, new Intl.NumberFormat(intlLocale(s.locale)).format(snap.entryCount)],
    ]);
    header();
    row({ date: day.format(new Date(snap.from)), type: "", description: l.opening, amount: "", balance: money(snap.openingBalance) });
    for await (const e of entries) {
      if (doc.y > bottom()) {
        drawFooter(doc, snap.issuer);
        forgetLayouts(doc);
        doc.addPage();
        header();
        while (doc.readableLength > MAX_UNREAD_BYTES) await sleep(5); // the reader is behind: wait for it
      }
      row({
        date: day.format(new Date(e.createdAt)),
        type: l.types[e.type] ?? e.type,
        description: e.description ?? "",
        amount: money(e.amount),
        balance: money(e.balanceAfter),
      });
    }
    row({ date: day.format(last), type: "", description: l.closing, amount: "", balance: money(snap.closingBalance) }, true);
    if (doc.y > bottom() - 20 - 12 * snap.totals.length) {
      drawFooter(doc, snap.issuer);
      doc.addPage();
    }
    doc.moveDown(1).font("bold").fontSize(10).text(l.totals, MARGIN);
    for (const t of snap.totals) {
      row({ date: "", type: l.types[t.type] ?? t.type, description: `${t.count}×`, amount: money(t.amount), balance: "" });
    }
    drawFooter(doc, snap.issuer);
    doc.end();
  };
  write().catch((err: unknown) => doc.destroy(err instanceof Error ? err : new Error(String(err))));
  return doc;
}

/**
 * Empties the layout cache of each font used so far. pdfkit (0.20) caches the shaped
 * glyph run of every distinct word for the document's lifetime (`EmbeddedFont.layoutCache`,
 * about 2 KB a word); a statement's balances are all distinct, so without this the heap
 * grows with the month. The cache only saves time, so emptying it never changes output.
 */
function forgetLayouts(doc: PDFKit.PDFDocument): void {
  const fonts = (doc as unknown as { _fontFamilies: Record<string, { layoutCache?: Record<string, unknown> }> })._fontFamilies;
  for (const font of Object.values(fonts)) if (font.layoutCache) font.layoutCache = Object.create(null) as Record<string, unknown>;
}

/** `text` cut (with "…") to at most `width` points in the current font. */
function fitTo(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 0 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
