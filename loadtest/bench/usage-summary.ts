/**
 * `npm run bench:usage-summary` (issue 10, "Usage analytics": "answers in < 100 ms for an
 * account with a million usage entries"): writes USAGE_ENTRIES usage entries (default
 * 1 000 000; two priced meters and plain amounts, spread evenly over the last 30 days) to
 * one account straight in SQL (one generate_series statement, consistent running balance;
 * the usage_rollups trigger rolls them up as it would any posting), checks the ledger with
 * verifyLedger, then times GET /usage/summary through the running service (API key, warm:
 * the median of RUNS requests per query). Prints a Markdown table.
 */
import { openDatabase } from "../../db/client";
import { systemAccountId } from "../../db/ledger/system-accounts";
import { verifyLedger } from "../../db/ledger/verify";
import { seedAccounts } from "../seed";
import { recreateDatabase, startService } from "../service";

const ENTRIES = Number(process.env.USAGE_ENTRIES ?? 1_000_000);
const RUNS = 20;
const PORT = 3922;
const DAY_MS = 86_400_000;
const log = (line: string) => process.stdout.write(`bench:usage-summary: ${line}\n`);

const databaseUrl = await recreateDatabase("balance_bench_usage");
const service = await startService(databaseUrl, PORT);
const database = openDatabase(databaseUrl, { max: 2 });
const sql = database.sql;
const rows: [string, string][] = [];
try {
  const [account] = await seedAccounts(sql, 1, "usage");
  const accountId = account!.accountId;
  log(`writing ${ENTRIES} usage entries`);
  const started = performance.now();
  await sql`
    WITH e AS (
      INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency,
                                  meter, quantity, unit_price, created_at)
      SELECT 'le_bench_' || i, ${accountId}, ${systemAccountId("usage_revenue", "EUR")}, 'usage', -1, -i, i, 'EUR',
             m.meter, CASE WHEN m.meter IS NULL THEN NULL ELSE 4 END, CASE WHEN m.meter IS NULL THEN NULL ELSE 0.25 END,
             now() - ${30 * DAY_MS}::double precision * interval '1 ms' * (${ENTRIES} - i) / ${ENTRIES}
        FROM generate_series(1, ${ENTRIES}) AS i
        CROSS JOIN LATERAL (SELECT (ARRAY['bench.input_tokens', 'bench.output_tokens', NULL])[1 + i % 3] AS meter) m
      RETURNING 1
    )
    UPDATE accounts SET balance = -(SELECT count(*) FROM e), sequence = (SELECT count(*) FROM e) WHERE id = ${accountId}`;
  log(`written (with rollups) in ${((performance.now() - started) / 1000).toFixed(1)} s; verifying`);
  const violations = await verifyLedger(sql);
  if (violations.length > 0) throw new Error(`ledger violations: ${JSON.stringify(violations)}`);
  await sql`VACUUM ANALYZE ledger_entries`;
  await sql`VACUUM ANALYZE usage_rollups`;

  const now = Date.now();
  const queries: [string, string][] = [
    ["30 days by day", `from=${new Date(now - 30 * DAY_MS).toISOString()}&to=${new Date(now).toISOString()}&interval=day`],
    ["30 days by hour", `from=${new Date(now - 30 * DAY_MS).toISOString()}&to=${new Date(now).toISOString()}&interval=hour`],
    ["1 year by month, one meter", `from=${new Date(now - 365 * DAY_MS).toISOString()}&to=${new Date(now).toISOString()}&interval=month&meter=bench.input_tokens`],
  ];
  for (const [name, query] of queries) {
    const times: number[] = [];
    let buckets = 0;
    let amount = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${service.baseUrl}/api/v1/usage/summary?${query}`, { headers: { authorization: `Bearer ${account!.apiKey}` } });
      if (!res.ok) throw new Error(`GET /usage/summary: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { buckets: { amount: number }[] };
      times.push(performance.now() - t);
      buckets = body.buckets.length;
      amount = body.buckets.reduce((s, b) => s + b.amount, 0);
    }
    times.sort((a, b) => a - b);
    rows.push([
      `GET /usage/summary, ${name} (${buckets} buckets, ${amount.toLocaleString("en")} minor units)`,
      `median ${times[RUNS >> 1]!.toFixed(1)} ms, max ${times[RUNS - 1]!.toFixed(1)} ms (goal < 100 ms)`,
    ]);
  }
} finally {
  await database.close();
  await service.stop();
}

process.stdout.write(`\n| Usage summary, ${ENTRIES.toLocaleString("en")} usage entries on one account | Result |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}\n`);
