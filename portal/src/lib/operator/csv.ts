import { stringify } from "csv-stringify/browser/esm/sync";

/**
 * The CSV text of a console table (csv-stringify: RFC 4180 quoting, CRLF, a header row,
 * UTF-8 BOM so Excel detects the encoding). A cell a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR first) is prefixed with ' (OWASP "CSV Injection"), as the
 * customer's export does; numbers stay numbers.
 */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const defuse = (cell: string | number | null) =>
    typeof cell === "string" && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : (cell ?? "");
  return stringify([header, ...rows.map((row) => row.map(defuse))], { bom: true, record_delimiter: "windows" });
}

/** Offers `csv` as a download named `fileName` (a Blob URL, revoked after the click). */
export function downloadCsv(fileName: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
