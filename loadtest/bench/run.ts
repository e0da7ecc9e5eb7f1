/**
 * `npm run bench`: on this machine, in one go (shared/DESIGN.md performance target:
 * "a plain debit stays one round trip"; the goals are in the issue "Ops load testing"):
 * 1. pgbench running the exact SQL of our debit (captured from db/ledger, see
 *    debit-sql.ts) on 10 000 accounts and on one hot account, BENCH_CONCURRENCY clients;
 * 2. the same load through POST /api/v1/usage with k6 (same number of VUs);
 * 3. debits through the API again with 10 000 idle SSE connections open, and the
 *    server's memory per idle SSE connection (RSS delta / connections);
 * 4. Hono hello-world against a bare node:http hello-world;
 * 5. batch ingestion: events per second through POST /api/v1/usage/batch (1 000 events
 *    a request over the same 10 000 accounts, BENCH_BATCH_CONCURRENCY requests in flight,
 *    default 4) against pgbench's single-statement debit rate of step 1 (issue 10's goal:
 *    at least 5x).
 * Prints a Markdown table with throughput, p50/p99 and the ratios. BENCH_DURATION_S
 * (default 15) per run; BENCH_CONCURRENCY (default 16; also the API's pool size).
 * `npm run bench -- quick` runs only step 1 over 10 000 accounts (pgbench and API) and step 5.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { buildK6, readK6Summary, runK6, type K6Result } from "../k6";
import { seedForK6 } from "../seed";
import { recreateDatabase, startService } from "../service";
import { captureDebitStatement, toPgbenchScript } from "./debit-sql";
import { formatIdleSseMemory, openIdleSse, type IdleSseMemory } from "./idle-sse-memory";
import { runPgbench, type PgbenchResult } from "./pgbench";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
const BATCH_SIZE = 1000;
const ACCOUNTS = 10_000;
const OPERATOR_KEY = "bench_operator_key_0123456789abcdef0123456789";
const quick = process.argv[2] === "quick";
/** BENCH_PORT / BENCH_DATABASE_NAME: two benches on one machine need their own. */
const PORT = Number(process.env.BENCH_PORT ?? 3919);
const SUMMARY = ".cache/bench-summary.json";

interface Row {
  label: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  note?: string;
}
const rows: Row[] = [];
const log = (line: string) => process.stdout.write(`bench: ${line}\n`);

const k6 = buildK6();
const databaseUrl = await recreateDatabase(process.env.BENCH_DATABASE_NAME ?? "balance_bench");
const service = await startService(databaseUrl, PORT, { DATABASE_POOL_MAX: String(CONCURRENCY), OPERATOR_API_KEY: OPERATOR_KEY });
let sse: IdleSseMemory | null = null;
try {
  const { seedFile, accounts } = await seedForK6(databaseUrl, ACCOUNTS, "b");
  const hot = accounts[0]!.accountId;
  const statement = await captureDebitStatement(databaseUrl, hot);
  const k6Env = { BASE_URL: service.baseUrl, SEED_FILE: seedFile, VUS: String(CONCURRENCY), DURATION: `${DURATION_S}s` };
  const apiRun = (scenario: string) => k6Run(scenario, k6Env, "debit");
  const pgRun = (n: string): PgbenchResult => runPgbench(databaseUrl, toPgbenchScript(statement, hot, "acc_load_b_", n), CONCURRENCY, DURATION_S);

  log(`pgbench, debit SQL over ${ACCOUNTS} accounts`);
  const pgSpread = pgRun(`random(0, ${ACCOUNTS - 1})`);
  log(`API, batches of ${BATCH_SIZE} events over ${ACCOUNTS} accounts`);
  const batch = await k6Run("batch", { ...k6Env, VUS: String(BATCH_CONCURRENCY), OPERATOR_KEY, BATCH_SIZE: String(BATCH_SIZE) }, "batch");
  const events = { ...batch, rps: batch.rps * BATCH_SIZE };
  const batchRow = {
    label: `API POST /usage/batch, events/s (${BATCH_SIZE} a request, ${BATCH_CONCURRENCY} in flight), ${ACCOUNTS} accounts`,
    ...events,
    note: ratio(events.rps, pgSpread.tps, "events / pgbench debits"),
  };
  log("API, debits over 10 000 accounts");
  const apiSpread = await apiRun("debits");
  if (quick) {
    rows.push(
      { label: `pgbench, debit SQL, ${ACCOUNTS} accounts`, rps: pgSpread.tps, p50Ms: pgSpread.p50Ms, p99Ms: pgSpread.p99Ms },
      { label: `API POST /usage, ${ACCOUNTS} accounts`, ...apiSpread, note: ratio(apiSpread.rps, pgSpread.tps, "API / pgbench") },
      batchRow,
    );
  } else {
    log("pgbench, debit SQL on one account");
    const pgHot = pgRun("0");
    log("API, debits on one account");
    const apiHot = await apiRun("hot");
    rows.push(
      { label: `pgbench, debit SQL, ${ACCOUNTS} accounts`, rps: pgSpread.tps, p50Ms: pgSpread.p50Ms, p99Ms: pgSpread.p99Ms },
      { label: `API POST /usage, ${ACCOUNTS} accounts`, ...apiSpread, note: ratio(apiSpread.rps, pgSpread.tps, "API / pgbench") },
      { label: "pgbench, debit SQL, one account", rps: pgHot.tps, p50Ms: pgHot.p50Ms, p99Ms: pgHot.p99Ms },
      { label: "API POST /usage, one account", ...apiHot, note: ratio(apiHot.rps, pgHot.tps, "API / pgbench") },
      batchRow,
    );

    log(`opening ${ACCOUNTS} idle SSE connections`);
    const idle = await openIdleSse(k6, service, k6Env, ACCOUNTS, DURATION_S + 90);
    sse = idle.memory;
    log(`API, debits over ${ACCOUNTS} accounts with their ${ACCOUNTS} SSE connections open`);
    const apiWithSse = await apiRun("debits");
    rows.push({
      label: `API POST /usage, ${ACCOUNTS} accounts, ${ACCOUNTS} SSE open`,
      ...apiWithSse,
      note: ratio(apiWithSse.rps, apiSpread.rps, "vs none open"),
    });
    log("closing the SSE connections (k6 reports the holder's run as aborted: expected)");
    await idle.close();
  }
} finally {
  await service.stop();
}

if (!quick) {
  const hello: Record<string, K6Result> = {};
  for (const kind of ["node", "hono"]) {
    log(`${kind} hello world`);
    hello[kind] = await helloRun(kind);
  }
  rows.push(
    { label: "bare node:http hello world", ...hello.node! },
    { label: "Hono hello world", ...hello.hono!, note: ratio(hello.hono!.rps, hello.node!.rps, "Hono / node:http") },
  );
}

process.stdout.write(`\n${machine()}\n${CONCURRENCY} concurrent clients (batches: ${BATCH_CONCURRENCY}), ${DURATION_S} s per run; \`npm run bench\`\n\n`);
process.stdout.write("| run | per second | p50 ms | p99 ms | ratio |\n|---|---:|---:|---:|---|\n");
for (const r of rows) {
  process.stdout.write(`| ${r.label} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.note ?? ""} |\n`);
}
if (sse) process.stdout.write(`\n${formatIdleSseMemory(sse)}\n`);

function ratio(a: number, b: number, what: string): string {
  return `${what} = ${(a / b).toFixed(2)}`;
}

/**
 * Runs loadtest/scenarios/<scenario>.js without thresholds and reads its summary for
 * requests tagged `name`. @throws Error when k6 fails.
 */
async function k6Run(scenario: string, env: Record<string, string>, name: string): Promise<K6Result> {
  const code = await runK6(k6, ["--no-thresholds", `--summary-export=${SUMMARY}`, `loadtest/scenarios/${scenario}.js`], env, false);
  if (code !== 0) throw new Error(`k6 ${scenario} exited with ${code}`);
  return readK6Summary(SUMMARY, `http_req_duration{name:${name}}`);
}

/** Starts hello-server.ts `kind` and measures it with loadtest/scenarios/hello.js. */
async function helloRun(kind: string): Promise<K6Result> {
  const port = PORT + 1;
  const server = spawn(process.execPath, ["--import", "tsx", "loadtest/bench/hello-server.ts", kind, String(port)], { stdio: "inherit" });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (await fetch(baseUrl).then((r) => r.ok, () => false)) break;
      if (i > 100) throw new Error(`hello server ${kind} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await k6Run("hello", { BASE_URL: baseUrl, VUS: String(CONCURRENCY), DURATION: `${DURATION_S}s` }, "hello");
  } finally {
    server.kill("SIGTERM");
  }
}

/** nproc, memory and CPU model of this machine, for the published numbers. */
function machine(): string {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  return `Machine: ${cpus().length} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}`;
}
