/**
 * `npm run bench:documents` (issue 9, "Money documents"): what documents cost on this machine.
 * 1. receipt render: RECEIPT_RUNS renders of one issued receipt with pdfkit (in this
 *    process, as GET /documents/{id}/pdf does), p50/p99 (goal p50 < 50 ms);
 * 2. a 10 000-entry statement through the running service (GET /statements/{month}/pdf):
 *    time to the last byte and the service's peak RSS above its idle RSS;
 * 3. a 1 000 000-row CSV export through the service (GET /transactions.csv): rows/s and
 *    the service's peak RSS above idle (flat memory: the rows stream through a cursor).
 * The entries are written straight in SQL (one generate_series statement each, a
 * consistent running balance), then read only through the service. Prints a Markdown table.
 */
import { readFileSync } from "node:fs";
import { openDatabase } from "../../db/client";
import { DEMO_ISSUER } from "../../db/documents/issuer";
import { issueReceipt } from "../../db/documents/issue-receipt";
import { systemAccountId } from "../../db/ledger/system-accounts";
import { renderMoneyDocument } from "../../server/documents/pdf/money-document";
import { seedAccounts } from "../seed";
import { recreateDatabase, startService, type RunningService } from "../service";

const RECEIPT_RUNS = Number(process.env.BENCH_RECEIPT_RUNS ?? 200);
const STATEMENT_ENTRIES = 10_000;
const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const PORT = 3921;
const log = (line: string) => process.stdout.write(`bench:documents: ${line}\n`);

const databaseUrl = await recreateDatabase("balance_bench_docs");
const service = await startService(databaseUrl, PORT);
const database = openDatabase(databaseUrl, { max: 2 });
const sql = database.sql;
const rows: [string, string][] = [];
try {
  const [receiptAccount, statementAccount, csvAccount] = await seedAccounts(sql, 3, "docs");

  log(`receipt: ${RECEIPT_RUNS} renders`);
  await sql`
    INSERT INTO topups (id, account_id, amount, currency, status, provider)
    VALUES ('top_bench_docs', ${receiptAccount!.accountId}, 2500, 'EUR', 'succeeded', 'simulated')`;
  const receipt = await sql.begin((tx) =>
    issueReceipt(tx, DEMO_ISSUER, { topupId: "top_bench_docs", accountId: receiptAccount!.accountId, amount: 2500, currency: "EUR", card: { brand: "visa", last4: "4242" }, paymentMethodId: null }),
  );
  const renders: number[] = [];
  for (let i = 0; i < RECEIPT_RUNS; i++) {
    const started = performance.now();
    await renderMoneyDocument(receipt);
    renders.push(performance.now() - started);
  }
  rows.push(["receipt render (pdfkit), p50 / p99", `${percentile(renders, 0.5).toFixed(1)} ms / ${percentile(renders, 0.99).toFixed(1)} ms (goal p50 < 50 ms)`]);

  log(`statement: writing ${STATEMENT_ENTRIES} entries`);
  await bulkEntries(statementAccount!.accountId, STATEMENT_ENTRIES);
  const month = new Date().toISOString().slice(0, 7);
  const statement = await timedDownload(service, `/api/v1/statements/${month}/pdf`, statementAccount!.cookie);
  rows.push([
    `statement of ${STATEMENT_ENTRIES.toLocaleString("en")} entries (GET /statements/{month}/pdf)`,
    `${(statement.ms / 1000).toFixed(1)} s, ${(statement.bytes / 1e6).toFixed(1)} MB PDF, service peak RSS +${statement.peakRssDeltaMb.toFixed(0)} MB`,
  ]);

  log(`CSV: writing ${CSV_ROWS} entries`);
  await bulkEntries(csvAccount!.accountId, CSV_ROWS);
  log("CSV: exporting");
  const csv = await timedDownload(service, "/api/v1/transactions.csv", csvAccount!.cookie);
  if (csv.lines !== CSV_ROWS + 1) throw new Error(`the export has ${csv.lines} lines, expected ${CSV_ROWS + 1}`);
  rows.push([
    `CSV export of ${CSV_ROWS.toLocaleString("en")} rows (GET /transactions.csv)`,
    `${Math.round(CSV_ROWS / (csv.ms / 1000)).toLocaleString("en")} rows/s (${(csv.ms / 1000).toFixed(1)} s, ${(csv.bytes / 1e6).toFixed(0)} MB), service peak RSS +${csv.peakRssDeltaMb.toFixed(0)} MB`,
  ]);
} finally {
  await database.close();
  await service.stop();
}

process.stdout.write(`\n| Documents | Result |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}\n`);

/**
 * Appends `n` adjustment entries of +1 to `accountId` in one statement (sequences and running
 * balance consistent, as `verify` expects) and moves the account row to match.
 */
async function bulkEntries(accountId: string, n: number): Promise<void> {
  const contra = systemAccountId("adjustments", "EUR");
  await sql`
    WITH e AS (
      INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, description)
      SELECT 'le_bench_' || ${accountId} || '_' || i, ${accountId}, ${contra}, 'adjustment', 1, i, i, 'EUR', 'bench entry ' || i
        FROM generate_series(1, ${n}) AS i
      RETURNING 1
    )
    UPDATE accounts SET balance = (SELECT count(*) FROM e), sequence = (SELECT count(*) FROM e) WHERE id = ${accountId}`;
}

/** GETs `path` with the portal cookie, reading the body to its end while sampling the service's RSS every 20 ms. */
async function timedDownload(s: RunningService, path: string, cookie: string) {
  const idleRss = rssMb(s.pid);
  let peak = idleRss;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(s.pid))), 20);
  const started = performance.now();
  try {
    const res = await fetch(`${s.baseUrl}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    return { ms: performance.now() - started, bytes, lines, peakRssDeltaMb: peak - idleRss };
  } finally {
    clearInterval(sampler);
  }
}

/** Resident set size of process `pid` in MB (/proc/<pid>/status VmRSS). */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return kb / 1024;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
