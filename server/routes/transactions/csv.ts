import { createRoute, z } from "@hono/zod-openapi";
import { stringify } from "csv-stringify";
import { Readable } from "node:stream";
import { formatMinor } from "../../../db/currency";
import { streamEntries } from "../../../db/ledger/list-entries";
import type { LedgerEntry } from "../../../db/ledger/types";
import { requireAuth } from "../../middleware/auth";
import { createRouter } from "../router";
import { toEntryFilter, TransactionFilters } from "./filters";

/** The export's columns, in order (the header row). */
const COLUMNS = [
  "id",
  "sequence",
  "createdAt",
  "type",
  "amount",
  "amountFormatted",
  "balanceAfter",
  "balanceAfterFormatted",
  "currency",
  "description",
  "idempotencyKey",
  "externalRef",
  "metadata",
] as const;

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with ' (OWASP "CSV Injection"). */
const defuse = (s: string | null) => (s && /^[=+\-@\t\r]/.test(s) ? `'${s}` : (s ?? ""));

const toRecord = (e: LedgerEntry, locale: string) => ({
  id: e.id,
  sequence: e.sequence,
  createdAt: e.createdAt,
  type: e.type,
  amount: e.amount,
  amountFormatted: formatMinor(e.amount, e.currency, locale),
  balanceAfter: e.balanceAfter,
  balanceAfterFormatted: formatMinor(e.balanceAfter, e.currency, locale),
  currency: e.currency,
  description: defuse(e.description),
  idempotencyKey: e.idempotencyKey ?? "",
  externalRef: e.externalRef ?? "",
  metadata: e.metadata ? defuse(JSON.stringify(e.metadata)) : "",
});

const Query = TransactionFilters.extend({
  delimiter: z.enum(["comma", "semicolon"]).default("comma").openapi({
    description: "semicolon for Excel with German regional settings (it splits on ;); comma otherwise",
  }),
  locale: z.enum(["en", "de"]).default("en").openapi({ description: "Language of the *Formatted columns (en: €1,234.56, de: 1.234,56 €)" }),
});

const csv = createRoute({
  method: "get",
  path: "/transactions.csv",
  operationId: "exportTransactionsCsv",
  tags: ["balance"],
  summary: "All ledger entries matching the filters of GET /transactions as CSV (RFC 4180), oldest first, streamed",
  description:
    "UTF-8 with a byte order mark (so Excel detects the encoding), CRLF line ends, a header row. Times ISO 8601 UTC; " +
    "amounts in minor units plus a formatted column; metadata as JSON.",
  middleware: [requireAuth({ session: {}, apiKeyScope: "balance:read" })] as const,
  request: { query: Query },
  responses: {
    200: { description: "The CSV file", content: { "text/csv": { schema: z.string() } } },
  },
});

/** GET /transactions.csv: streamEntries piped through csv-stringify, so any number of rows streams in flat memory. */
export const transactionsCsvRoutes = createRouter().openapi(csv, async (c) => {
  const q = c.req.valid("query");
  const entries = streamEntries(c.get("deps").database.sql, { accountId: c.get("accountId"), ...toEntryFilter(q) });
  const rows = Readable.from(
    (async function* () {
      for await (const e of entries) yield toRecord(e, q.locale === "de" ? "de-DE" : "en-GB");
    })(),
  );
  const out = rows.pipe(
    stringify({ header: true, columns: [...COLUMNS], bom: true, record_delimiter: "windows", delimiter: q.delimiter === "semicolon" ? ";" : "," }),
  );
  rows.on("error", (err) => out.destroy(err));
  const date = new Date().toISOString().slice(0, 10);
  return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": `attachment; filename="transactions-${date}.csv"`,
      "cache-control": "private, no-cache",
    },
  });
});
