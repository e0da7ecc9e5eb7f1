import type { Queryable } from "../client";

/**
 * Takes the next number of `series` (`R-2026`, `C-2026`, `S-2026-11`) for `issuerKey`
 * inside the caller's transaction and returns it formatted: `R-2026-000001`. The counter
 * row is incremented by one upsert whose row lock is held until the transaction ends, so
 * concurrent issuers queue and get consecutive numbers, and a transaction that rolls
 * back gives its number back (no gaps: GoBD / §14 (4) Nr. 4 UStG, "fortlaufende Nummer").
 * Six digits; the series restarts each calendar year (or month for statements).
 */
export async function nextDocumentNumber(tx: Queryable, issuerKey: string, series: string): Promise<string> {
  const [row] = await tx<{ last_number: number }[]>`
    INSERT INTO document_counters (issuer_key, series, last_number) VALUES (${issuerKey}, ${series}, 1)
    ON CONFLICT (issuer_key, series) DO UPDATE SET last_number = document_counters.last_number + 1
    RETURNING last_number`;
  return `${series}-${String(row!.last_number).padStart(6, "0")}`;
}
