import type { DocumentLocale } from "../../../db/documents/buyer";

/** The printed words of documents, per locale. German terms follow §14 UStG usage. */
const LABELS = {
  en: {
    receipt: "Receipt",
    credit_note: "Credit note",
    cancellation: "Cancellation of credit note",
    statement: "Account statement",
    interim: "Interim statement: the month is not over, figures may still change",
    demo: "DEMO DOCUMENT: not valid for tax purposes",
    number: "Number",
    issued: "Date of issue",
    supplied: "Date of supply",
    payment: "Payment method",
    paidBy: "Paid by card",
    refundedTo: "Refunded to card",
    corrects: "Corrects",
    vatId: "VAT ID",
    taxNumber: "Tax number",
    customerVatId: "Customer VAT ID",
    description: "Description",
    topup: "Top-up of the prepaid balance of account",
    refund: "Refund of the top-up (receipt",
    dispute: "Card dispute on the top-up (receipt",
    refund_failed: "The refund failed: cancels credit note",
    dispute_won: "The card dispute was won: cancels credit note",
    net: "Net",
    tax: "VAT",
    gross: "Total",
    noTax: "No VAT is shown on this document.",
    period: "Period",
    account: "Account",
    opening: "Opening balance",
    closing: "Closing balance",
    totals: "Totals by type",
    date: "Date",
    type: "Type",
    amount: "Amount",
    balance: "Balance",
    entries: "Entries",
    page: "Page",
    types: {
      topup: "Top-up",
      usage: "Usage",
      promotion: "Promotion",
      adjustment: "Adjustment",
      refund: "Refund",
      dispute: "Dispute",
      capture: "Capture",
    } as Record<string, string>,
  },
  de: {
    receipt: "Rechnung (Zahlungsbeleg)",
    credit_note: "Rechnungskorrektur",
    cancellation: "Storno der Rechnungskorrektur",
    statement: "Kontoauszug",
    interim: "Vorläufiger Auszug: Der Monat ist noch nicht vorbei, die Zahlen können sich noch ändern",
    demo: "DEMO-BELEG: steuerlich nicht gültig",
    number: "Nummer",
    issued: "Ausstellungsdatum",
    supplied: "Leistungsdatum",
    payment: "Zahlungsart",
    paidBy: "Bezahlt mit Karte",
    refundedTo: "Erstattet auf Karte",
    corrects: "Korrigiert",
    vatId: "USt-IdNr.",
    taxNumber: "Steuernummer",
    customerVatId: "USt-IdNr. des Kunden",
    description: "Beschreibung",
    topup: "Aufladung des Prepaid-Guthabens von Konto",
    refund: "Erstattung der Aufladung (Rechnung",
    dispute: "Kartenrückbuchung der Aufladung (Rechnung",
    refund_failed: "Die Erstattung ist gescheitert: storniert Rechnungskorrektur",
    dispute_won: "Die Rückbuchung wurde gewonnen: storniert Rechnungskorrektur",
    net: "Netto",
    tax: "USt.",
    gross: "Gesamtbetrag",
    noTax: "Auf diesem Beleg wird keine Umsatzsteuer ausgewiesen.",
    period: "Zeitraum",
    account: "Konto",
    opening: "Anfangssaldo",
    closing: "Endsaldo",
    totals: "Summen nach Art",
    date: "Datum",
    type: "Art",
    amount: "Betrag",
    balance: "Saldo",
    entries: "Buchungen",
    page: "Seite",
    types: {
      topup: "Aufladung",
      usage: "Verbrauch",
      promotion: "Bonus",
      adjustment: "Korrektur",
      refund: "Erstattung",
      dispute: "Rückbuchung",
      capture: "Reservierung eingelöst",
    } as Record<string, string>,
  },
} satisfies Record<DocumentLocale, unknown>;

export type Labels = (typeof LABELS)["en"];

/** The document words in `locale`. */
export const labelsFor = (locale: DocumentLocale): Labels => LABELS[locale];

/** Intl locale tags for numbers and dates: en-GB (day month year, as in Europe), de-DE. */
export const intlLocale = (locale: DocumentLocale) => (locale === "de" ? "de-DE" : "en-GB");

/** `2026-12-02T...` as "2 December 2026" / "2. Dezember 2026" (UTC). */
export const formatDate = (iso: string | Date, locale: DocumentLocale) =>
  new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso));

/** A tax rate in basis points as "19 %" / "19 %" with the locale's decimal separator ("7,5 %"). */
export const formatRate = (rateBp: number, locale: DocumentLocale) =>
  new Intl.NumberFormat(intlLocale(locale), { style: "percent", maximumFractionDigits: 2 }).format(
    `${Math.floor(rateBp / 10_000)}.${String(rateBp % 10_000).padStart(4, "0")}` as Intl.StringNumericLiteral,
  );
