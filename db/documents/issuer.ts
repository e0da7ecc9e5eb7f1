/**
 * The platform that issues documents (the seller, §14 (4) Nr. 1-2 UStG). Configured once
 * (ISSUER_* variables, server/documents/issuer-config.ts) and copied into every document
 * at issue. `key` names the number series: numbers are gap-free per key and series, so
 * keep it when the name or address changes.
 */
export interface Issuer {
  key: string;
  name: string;
  /** Postal address, one entry per printed line (street, postal code and city, country). */
  addressLines: string[];
  /** USt-IdNr. / VAT registration number; §14 (4) Nr. 2 UStG needs it or `taxNumber`. */
  vatId: string | null;
  /** Steuernummer (German tax number) when there is no VAT ID. */
  taxNumber: string | null;
  /** Tax rate in basis points (1900 = 19 %). 0 = no tax lines on documents. */
  taxRateBp: number;
  /** Printed at the bottom of every page (bank details, register court, ...). */
  footer: string | null;
  /** True for the embedded default's made-up issuer: documents say "DEMO". */
  demo: boolean;
}

/** The clearly fake issuer of the embedded default (no ISSUER_NAME set). */
export const DEMO_ISSUER: Issuer = {
  key: "demo",
  name: "Demo Balance GmbH (not a real company)",
  addressLines: ["Beispielstraße 1", "12345 Musterstadt", "Deutschland"],
  vatId: "DE000000000",
  taxNumber: null,
  taxRateBp: 1900,
  footer: "DEMO: this document was issued by the embedded default and is not valid for tax purposes.",
  demo: true,
};
