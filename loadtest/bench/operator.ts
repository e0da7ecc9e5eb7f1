/**
 * `npm run bench:operator` (issue 11, "The operator console"): the console's reads on a
 * platform-sized database, through the running service (HTTP, OPERATOR_API_KEY):
 * 1. account search (GET /operator/accounts?q=...): p50/p95 over BENCH_SEARCHES queries
 *    (name fragments, member emails, id prefixes, a few broad words), goal p95 < 100 ms;
 * 2. revenue for 12 months by day (GET /operator/analytics/revenue), goal < 500 ms;
 * 3. liability (GET /operator/analytics/liability), goal < 100 ms;
 * 4. top accounts (GET /operator/analytics/top-accounts): by usage over the last 30 days and by
 *    top-ups over 12 months, goal < 500 ms.
 * Seeds BENCH_OPERATOR_ACCOUNTS customers (default 100 000; owner users and memberships)
 * and BENCH_OPERATOR_ENTRIES ledger entries (default 10 000 000, spread evenly over the
 * accounts and the last 365 days; consistent sequences and running balances) with
 * generate_series statements, triggers off (session_replication_role = replica, as a bulk
 * load), then fills the rollups in one pass each (ledger_rollups_backfill()) and
 * ANALYZEs. Prints a Markdown table and the plan of one search (EXPLAIN ANALYZE).
 * A quick run: BENCH_OPERATOR_ENTRIES=1000000 npm run bench:operator; BENCH_OPERATOR_REUSE=1
 * measures again on the database the previous run seeded (the service migrates it first: a
 * migration that backfills a new rollup may take minutes on 10 million entries).
 */
import { openDatabase } from "../../db/client";
import { ensureSystemAccounts } from "../../db/ledger/system-accounts";
import { ADMIN_DATABASE_URL, recreateDatabase, startService } from "../service";

const ACCOUNTS = Number(process.env.BENCH_OPERATOR_ACCOUNTS ?? 100_000);
const ENTRIES = Number(process.env.BENCH_OPERATOR_ENTRIES ?? 10_000_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 200);
/** Accounts whose entries one INSERT writes: bounds each statement's sort (window) and WAL burst. */
const ACCOUNTS_PER_CHUNK = 5_000;
const PORT = 3923;
const OPERATOR_KEY = "bench_operator_key_0123456789abcdefghijklmnop";
const WORDS = ["Acme", "Harbor", "Nimbus", "Quartz", "Falcon", "Juniper", "Copper", "Meadow", "Orbit", "Summit",
  "Tandem", "Velvet", "Willow", "Zephyr", "Beacon", "Cobalt", "Delta", "Ember", "Fjord", "Granite"];
const log = (line: string) => process.stdout.write(`bench:operator: ${line}\n`);

const perAccount = Math.max(1, Math.floor(ENTRIES / ACCOUNTS));
const REUSE = process.env.BENCH_OPERATOR_REUSE === "1";
const databaseUrl = REUSE ? benchDatabaseUrl() : await recreateDatabase("balance_bench_operator");
const service = await startService(databaseUrl, PORT, { OPERATOR_API_KEY: OPERATOR_KEY }, 1800);
const database = openDatabase(databaseUrl, { max: 1 });
const sql = database.sql;
const rows: [string, string][] = [];
try {
  if (!REUSE) await seed();
  const headers = { authorization: `Bearer ${OPERATOR_KEY}` };
  const get = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${service.baseUrl}/api/v1/operator/${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - started;
  };
  const timed = async (paths: string[]) => {
    for (const p of paths.slice(0, 3)) await get(p); // warm the pool and caches
    const ms: number[] = [];
    for (const p of paths) ms.push(await get(p));
    return `p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms (${paths.length} requests)`;
  };

  const search = (kind: number) =>
    Array.from({ length: SEARCHES }, () => {
      const n = Math.floor(Math.random() * ACCOUNTS);
      const word = WORDS[n % WORDS.length]!;
      const q = [`${word} ${n}`, `owner${n}@`, `acct_b_${String(n).padStart(6, "0").slice(0, 4)}`, word.toLowerCase()][kind]!;
      return `accounts?q=${encodeURIComponent(q)}`;
    });
  rows.push(["account search: a customer's name (\"Harbor 4711\")", `${await timed(search(0))} — goal p95 < 100 ms`]);
  rows.push(["account search: a member's email (\"owner4711@\")", `${await timed(search(1))} — goal p95 < 100 ms`]);
  rows.push(["account search: an id prefix (\"acct_b_0047\", 100 match)", `${await timed(search(2))} — goal p95 < 100 ms`]);
  rows.push([`account search: a broad word (${(100 / WORDS.length).toFixed(0)} % of accounts match)`, await timed(search(3).slice(0, 20))]);
  const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  const revenue = `analytics/revenue?from=${day(-365)}&to=${day(1)}&interval=day&currency=EUR`;
  rows.push(["revenue, 12 months by day (EUR)", `${await timed(Array(30).fill(revenue))} — goal < 500 ms`]);
  rows.push(["liability (all currencies, change over 30 days)", `${await timed(Array(50).fill("analytics/liability"))} — goal < 100 ms`]);
  rows.push(["top accounts by usage, last 30 days", `${await timed(Array(10).fill(`analytics/top-accounts?metric=usage&from=${day(-30)}&to=${day(1)}`))} — goal < 500 ms`]);
  rows.push(["top accounts by top-ups, 12 months", `${await timed(Array(5).fill(`analytics/top-accounts?metric=topups&from=${day(-365)}&to=${day(1)}`))} — goal < 500 ms`]);
  rows.push(["account list sorted by balance (no q, reads every customer row)", await timed(Array(10).fill("accounts?sort=balance"))]);

  const plan = await sql.unsafe<{ "QUERY PLAN": string }[]>(`
    EXPLAIN (ANALYZE, COSTS OFF)
    SELECT a.id FROM accounts a WHERE a.kind = 'customer' AND a.id IN (
      SELECT id FROM accounts WHERE kind = 'customer' AND (name ILIKE '%Harbor 4711%' OR id LIKE 'Harbor 4711%')
      UNION SELECT m.account_id FROM users u JOIN account_members m ON m.user_id = u.id WHERE u.email ILIKE '%Harbor 4711%')
    ORDER BY a.created_at DESC, a.id DESC LIMIT 26`);
  process.stdout.write(`\nPlan of one search:\n${plan.map((r) => "  " + r["QUERY PLAN"]).join("\n")}\n`);
} finally {
  await database.close();
  await service.stop();
}
process.stdout.write(
  `\n| Operator console (${ACCOUNTS.toLocaleString("en")} accounts, ${(perAccount * ACCOUNTS).toLocaleString("en")} entries) | Result |\n|---|---|\n` +
    `${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}\n`,
);

/** Accounts, owners and ledger entries in SQL (triggers off for the bulk load), then the rollups and statistics. */
async function seed(): Promise<void> {
  const started = performance.now();
  await ensureSystemAccounts(sql, "EUR");
  await ensureSystemAccounts(sql, "USD");
  log(`seeding ${ACCOUNTS} accounts`);
  await sql`
    INSERT INTO accounts (id, kind, name, currency, overdraft_limit, created_at)
    SELECT 'acct_b_' || lpad(i::text, 6, '0'), 'customer', (${WORDS}::text[])[1 + i % ${WORDS.length}] || ' ' || i || ' GmbH',
           CASE WHEN i % 10 = 0 THEN 'USD' ELSE 'EUR' END, 1000000000000, now() - interval '400 days' + i * interval '1 second'
      FROM generate_series(0, ${ACCOUNTS - 1}::int) AS i`;
  await sql`
    INSERT INTO users (id, email, name, password_hash)
    SELECT 'usr_b_' || i, 'owner' || i || '@' || lower((${WORDS}::text[])[1 + i % ${WORDS.length}]) || '.example', 'Owner ' || i, 'x'
      FROM generate_series(0, ${ACCOUNTS - 1}::int) AS i`;
  await sql`
    INSERT INTO account_members (account_id, user_id, role)
    SELECT 'acct_b_' || lpad(i::text, 6, '0'), 'usr_b_' || i, 'owner' FROM generate_series(0, ${ACCOUNTS - 1}::int) AS i`;

  log(`seeding ${perAccount * ACCOUNTS} ledger entries (${perAccount} per account)`);
  for (let from = 0; from < ACCOUNTS; from += ACCOUNTS_PER_CHUNK) {
    const to = Math.min(ACCOUNTS, from + ACCOUNTS_PER_CHUNK) - 1;
    await sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`; // bulk load: no per-row triggers (rollups filled below)
      await tx`
        INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, created_at)
        SELECT 'le_b_' || a || '_' || s, 'acct_b_' || lpad(a::text, 6, '0'),
               'sys_' || CASE t WHEN 'topup' THEN 'stripe_clearing' WHEN 'usage' THEN 'usage_revenue' WHEN 'promotion' THEN 'promotions'
                                WHEN 'adjustment' THEN 'adjustments' WHEN 'refund' THEN 'refunds' ELSE 'disputes' END || '_' || cur,
               t, amount, sum(amount) OVER (PARTITION BY a ORDER BY s), s, cur,
               now() - ((${perAccount} - s) * 365.0 / ${perAccount}) * interval '1 day' - (a % 1440) * interval '1 minute'
          FROM (SELECT a, s, CASE WHEN a % 10 = 0 THEN 'USD' ELSE 'EUR' END AS cur,
                       CASE WHEN s = 1 OR s % 20 = 0 THEN 'topup' WHEN s % 20 = 5 THEN 'promotion' WHEN s % 20 = 10 THEN 'adjustment'
                            WHEN s % 40 = 15 THEN 'refund' WHEN s % 80 = 17 THEN 'dispute' ELSE 'usage' END AS t,
                       CASE WHEN s = 1 THEN 100000 WHEN s % 20 = 0 THEN 20000 WHEN s % 20 = 5 THEN 500 WHEN s % 20 = 10 THEN -100
                            WHEN s % 40 = 15 THEN -1000 WHEN s % 80 = 17 THEN -300 ELSE -(50 + (s * 7 + a) % 50) END AS amount
                  FROM generate_series(${from}::int, ${to}::int) AS a, generate_series(1, ${perAccount}::int) AS s) g`;
      await tx`
        UPDATE accounts SET balance = e.balance_after, sequence = e.sequence, updated_at = e.created_at
          FROM ledger_entries e
         WHERE accounts.id = e.account_id AND e.sequence = ${perAccount}
           AND accounts.id BETWEEN ${"acct_b_" + String(from).padStart(6, "0")} AND ${"acct_b_" + String(to).padStart(6, "0")}`;
    });
    if ((from / ACCOUNTS_PER_CHUNK) % 4 === 3) log(`  ${(to + 1) * perAccount} entries (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  log("rollups (ledger_rollups_backfill) and VACUUM ANALYZE");
  await sql`SET work_mem = '256MB'`; // the per-account day rollups sort ~10 million rows
  await sql`SELECT ledger_rollups_backfill()`;
  // as autovacuum would after a load: also moves the GIN indexes' pending lists into the index proper
  await sql`VACUUM ANALYZE`;
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** The URL recreateDatabase gave the previous run's database (BENCH_OPERATOR_REUSE=1). */
function benchDatabaseUrl(): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = "/balance_bench_operator";
  return url.toString();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
