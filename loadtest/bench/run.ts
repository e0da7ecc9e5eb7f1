/**
 * `npm run bench [-- --short]`: on this machine, in one go (shared/DESIGN.md performance
 * target: "a plain debit stays one round trip"; goals in issues "Ops load testing" and 13):
 * 1. pgbench running the exact SQL of our debit (captured from db/ledger, see
 *    debit-sql.ts) on 10 000 accounts and on one hot account, BENCH_CONCURRENCY clients,
 *    with PostgreSQL's CPU per statement (its backends' CPU from /proc / statements);
 * 2. the same load through POST /api/v1/usage with k6 (same number of VUs), with the
 *    service's CPU per request (its process tree's CPU from /proc / requests) and
 *    PostgreSQL's CPU per request, for 1 and 2 API processes (WEB_CONCURRENCY; 2 needs
 *    Redis: REDIS_URL, default redis://127.0.0.1:6379, skipped when unreachable);
 * 3. debits through the API again with 10 000 idle SSE connections open, and the
 *    server's memory per idle SSE connection (RSS delta / connections);
 * 4. Hono hello-world against a bare node:http hello-world;
 * 5. batch ingestion: events per second through POST /api/v1/usage/batch (1 000 events
 *    a request over the same 10 000 accounts, BENCH_BATCH_CONCURRENCY requests in flight,
 *    default 4, each sender with its own share of the accounts as a consumer group
 *    partitioned by customer would: BENCH_BATCH_PARTITIONED=0 lets them overlap), with CPU
 *    per event, against pgbench's single-statement debit rate of step 1 (issue 10's goal:
 *    at least 5x).
 * Each pgbench/API scenario runs BENCH_RUNS times (default 3), interleaved, and the
 * Markdown table shows the median with the spread (min-max). `--short` (or
 * BENCH_SHORT=1), for development: 1 run of 5 s each, 1 process only, no SSE and no
 * hello world. Tunables: BENCH_DURATION_S (15) per run, BENCH_CONCURRENCY (16; also the
 * API's pool size), BENCH_PROCESSES ("1,2"), BENCH_DATABASE ("balance_bench", dropped and
 * recreated), BENCH_PORT (3919), BENCH_SSE=0 / BENCH_HELLO=0 skip parts 3 / 4,
 * BENCH_SERVICE_ENV ("NAME=value,...", passed to the service: an A/B of a switch such as
 * USAGE_FAST_PATH=0, GROUP_COMMIT_WAIT_MS=0 or DEBIT_COALESCING=0).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { createClient } from "redis";
import { runMigrations } from "../../db/migrate";
import { buildK6, readK6Summary, runK6, type K6Result } from "../k6";
import { seedForK6 } from "../seed";
import { recreateDatabase, startService, type RunningService } from "../service";
import { captureDebitStatement, toPgbenchScript } from "./debit-sql";
import { formatIdleSseMemory, openIdleSse, type IdleSseMemory } from "./idle-sse-memory";
import { runPgbench } from "./pgbench";
import { loadAverage1m, postgresCpuMeter, treeCpuMeter } from "./proc-cpu";

const SHORT = process.argv.includes("--short") || process.env.BENCH_SHORT === "1";
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? (SHORT ? 5 : 15));
const RUNS = Number(process.env.BENCH_RUNS ?? (SHORT ? 1 : 3));
const WITH_SSE = !SHORT && process.env.BENCH_SSE !== "0";
const PROCESSES = (process.env.BENCH_PROCESSES ?? (SHORT ? "1" : "1,2")).split(",").map(Number);
const DATABASE = process.env.BENCH_DATABASE ?? "balance_bench";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ACCOUNTS = 10_000;
const PORT = Number(process.env.BENCH_PORT ?? 3919);
const SUMMARY = `.cache/bench-summary-${PORT}.json`;
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
const BATCH_SIZE = 1000;
const BATCH_PARTITIONED = process.env.BENCH_BATCH_PARTITIONED !== "0";
const OPERATOR_KEY = "bench_operator_key_0123456789abcdef0123456789";
const SERVICE_ENV = Object.fromEntries(
  (process.env.BENCH_SERVICE_ENV ?? "").split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);

/** One run of one scenario. */
interface Sample {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** The service's CPU (all its processes) per request, µs; null for pgbench. */
  serviceCpuUs: number | null;
  /** The same less its idle CPU over the run (graphile-worker polling, timers): what each request adds, µs. */
  marginalCpuUs: number | null;
  /** PostgreSQL backends' CPU per request or statement, µs. */
  dbCpuUs: number;
}
/** Scenario label -> its runs, in the order first run. */
const samples = new Map<string, Sample[]>();
const notes = new Map<string, string>();
const add = (label: string, s: Sample) => {
  samples.set(label, [...(samples.get(label) ?? []), s]);
  // each run as it ends, so a later failure loses nothing
  log(`  ${s.rps.toFixed(0)}/s, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms` +
    `${s.serviceCpuUs === null ? "" : `, service ${s.serviceCpuUs.toFixed(0)} µs/request (${s.marginalCpuUs!.toFixed(0)} above idle)`}` +
    `, PostgreSQL ${s.dbCpuUs.toFixed(0)} µs`);
};
const log = (line: string) => process.stdout.write(`bench: ${line}\n`);
const loadAverages = [loadAverage1m()];

const k6 = buildK6();
const databaseUrl = await recreateDatabase(DATABASE);
await runMigrations(databaseUrl); // seeding comes before the service (which would migrate) starts
const { seedFile, accounts } = await seedForK6(databaseUrl, ACCOUNTS, "b");
const hot = accounts[0]!.accountId;
const statement = await captureDebitStatement(databaseUrl, hot);
const k6Env = { BASE_URL: `http://127.0.0.1:${PORT}`, SEED_FILE: seedFile, VUS: String(CONCURRENCY), DURATION: `${DURATION_S}s` };
const redisUp = PROCESSES.some((n) => n > 1) && (await pingRedis(REDIS_URL));
const label = {
  pgSpread: `pgbench, debit SQL, ${ACCOUNTS} accounts`,
  pgHot: "pgbench, debit SQL, one account",
  apiSpread: (n: number) => `API POST /usage, ${ACCOUNTS} accounts${processes(n)}`,
  apiHot: (n: number) => `API POST /usage, one account${processes(n)}`,
  batch: `API POST /usage/batch, events (${BATCH_SIZE} a request, ${BATCH_CONCURRENCY} in flight), ${ACCOUNTS} accounts${BATCH_PARTITIONED ? " partitioned among the senders" : ", senders overlapping"}`,
};
let sse: IdleSseMemory | null = null;
/** The running service's CPU when no request comes in, s per s (measured after each start). */
let idleCpuSPerS = 0;
const IDLE_SAMPLE_MS = 5_000;

for (const n of PROCESSES) {
  if (n > 1 && !redisUp) {
    log(`skipping ${n} processes: Redis at ${REDIS_URL} does not answer (WEB_CONCURRENCY > 1 needs it)`);
    continue;
  }
  // a busy shared machine can take minutes to start N processes under tsx
  const service = await startService(
    databaseUrl,
    PORT,
    {
      DATABASE_POOL_MAX: String(Math.ceil(CONCURRENCY / n)),
      WEB_CONCURRENCY: String(n),
      OPERATOR_API_KEY: OPERATOR_KEY,
      ...(n > 1 ? { REDIS_URL } : {}),
      ...SERVICE_ENV,
    },
    180,
  );
  try {
    const idle = treeCpuMeter(service.pid);
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    idleCpuSPerS = idle.stop() / (IDLE_SAMPLE_MS / 1000);
    log(`service idle: ${(idleCpuSPerS * 1000).toFixed(1)} ms CPU per second (${n} process${n > 1 ? "es" : ""})`);
    for (let run = 1; run <= RUNS; run++) {
      // pgbench interleaved with the first process count's API runs, so drift hits both alike
      if (n === PROCESSES[0]) await pgRun(label.pgSpread, `random(0, ${ACCOUNTS - 1})`, run);
      await apiRun(service, label.apiSpread(n), "debits", run);
      if (n === PROCESSES[0]) await pgRun(label.pgHot, "0", run);
      await apiRun(service, label.apiHot(n), "hot", run);
      if (n === PROCESSES[0]) {
        const batchEnv = {
          ...k6Env, VUS: String(BATCH_CONCURRENCY), OPERATOR_KEY, BATCH_SIZE: String(BATCH_SIZE), PARTITIONED: BATCH_PARTITIONED ? "1" : "0",
        };
        await apiRun(service, label.batch, "batch", run, { env: batchEnv, tag: "batch", perRequest: BATCH_SIZE });
      }
      loadAverages.push(loadAverage1m());
    }
    if (n === PROCESSES[0] && WITH_SSE) {
      log(`opening ${ACCOUNTS} idle SSE connections`);
      try {
        const idle = await openIdleSse(k6, service, k6Env, ACCOUNTS, DURATION_S + 90);
        sse = idle.memory;
        const withSse = `API POST /usage, ${ACCOUNTS} accounts, ${ACCOUNTS} SSE open${processes(n)}`;
        await apiRun(service, withSse, "debits", 1);
        notes.set(withSse, ratio(withSse, label.apiSpread(n), "vs none open"));
        log("closing the SSE connections (k6 reports the holder's run as aborted: expected)");
        await idle.close();
      } catch (err) {
        log(`SSE part skipped: ${(err as Error).message}`); // e.g. a machine too busy to open them in time
      }
    }
  } finally {
    await service.stop();
  }
  notes.set(label.apiSpread(n), ratio(label.apiSpread(n), label.pgSpread, "API / pgbench"));
  notes.set(label.apiHot(n), ratio(label.apiHot(n), label.pgHot, "API / pgbench"));
  if (n === PROCESSES[0]) notes.set(label.batch, ratio(label.batch, label.pgSpread, "events / pgbench debits"));
  if (n !== PROCESSES[0]) {
    notes.set(label.apiSpread(n), `${notes.get(label.apiSpread(n))}; ${ratio(label.apiSpread(n), label.apiSpread(PROCESSES[0]!), `vs ${PROCESSES[0]}`)}`);
    notes.set(label.apiHot(n), `${notes.get(label.apiHot(n))}; ${ratio(label.apiHot(n), label.apiHot(PROCESSES[0]!), `vs ${PROCESSES[0]}`)}`);
  }
}

if (!SHORT && process.env.BENCH_HELLO !== "0") {
  const hello: Record<string, K6Result> = {};
  for (const kind of ["node", "hono"]) {
    log(`${kind} hello world`);
    hello[kind] = await helloRun(kind);
  }
  add("bare node:http hello world", { ...hello.node!, serviceCpuUs: null, marginalCpuUs: null, dbCpuUs: NaN });
  add("Hono hello world", { ...hello.hono!, serviceCpuUs: null, marginalCpuUs: null, dbCpuUs: NaN });
  notes.set("Hono hello world", ratio("Hono hello world", "bare node:http hello world", "Hono / node:http"));
}
loadAverages.push(loadAverage1m());

process.stdout.write(`\n${machine()}\n`);
if (Object.keys(SERVICE_ENV).length > 0) process.stdout.write(`Service environment: ${process.env.BENCH_SERVICE_ENV}\n`);
process.stdout.write(
  `${CONCURRENCY} concurrent clients, ${DURATION_S} s per run, median of ${RUNS} run(s) (min-max); ` +
    `load average (1 min) ${Math.min(...loadAverages).toFixed(1)}-${Math.max(...loadAverages).toFixed(1)}; ` +
    `\`npm run bench${SHORT ? " -- --short" : ""}\`\n\n`,
);
process.stdout.write(
  "| run | per second | p50 ms | p99 ms | service CPU µs / request | of it above idle | PostgreSQL CPU µs / statement | ratio (medians) |\n" +
    "|---|---:|---:|---:|---:|---:|---:|---|\n",
);
for (const [name, runs] of samples) {
  const cells = [
    spread(runs.map((r) => r.rps), 0),
    spread(runs.map((r) => r.p50Ms), 2, false),
    spread(runs.map((r) => r.p99Ms), 2, false),
    runs[0]!.serviceCpuUs === null ? "" : spread(runs.map((r) => r.serviceCpuUs!), 0),
    runs[0]!.marginalCpuUs === null ? "" : spread(runs.map((r) => r.marginalCpuUs!), 0),
    Number.isNaN(runs[0]!.dbCpuUs) ? "" : spread(runs.map((r) => r.dbCpuUs), 0),
  ];
  process.stdout.write(`| ${name} | ${cells.join(" | ")} | ${notes.get(name) ?? ""} |\n`);
}
if (sse) process.stdout.write(`\n${formatIdleSseMemory(sse)}\n`);
process.exit(0);

/** pgbench with `nExpression` choosing the account, and PostgreSQL's CPU over it. */
async function pgRun(name: string, nExpression: string, run: number): Promise<void> {
  log(`${name} (run ${run}/${RUNS})`);
  const db = postgresCpuMeter(DATABASE);
  const r = await runPgbench(databaseUrl, toPgbenchScript(statement, hot, "acc_load_b_", nExpression), CONCURRENCY, DURATION_S);
  const dbS = db.stop();
  add(name, { rps: r.tps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, serviceCpuUs: null, marginalCpuUs: null, dbCpuUs: (dbS * 1e6) / r.transactions });
}

/**
 * k6 `scenario` against `service`, with the service's and PostgreSQL's CPU over it. A batch
 * scenario passes its env, request tag and `perRequest` (events per request): rates and CPU
 * are then per event.
 */
async function apiRun(
  service: RunningService,
  name: string,
  scenario: string,
  run: number,
  batch: { env: Record<string, string>; tag: string; perRequest: number } = { env: k6Env, tag: "debit", perRequest: 1 },
): Promise<void> {
  log(`${name} (run ${run}/${RUNS})`);
  const node = treeCpuMeter(service.pid);
  const db = postgresCpuMeter(DATABASE);
  const startedMs = performance.now();
  const perRequest = await k6Run(scenario, batch.env, batch.tag);
  const r = { ...perRequest, rps: perRequest.rps * batch.perRequest, requests: perRequest.requests * batch.perRequest };
  const dbS = db.stop();
  const nodeS = node.stop();
  const idleS = (idleCpuSPerS * (performance.now() - startedMs)) / 1000;
  if (r.failedRate > 0.01) throw new Error(`${name}: ${(r.failedRate * 100).toFixed(1)} % of requests failed`);
  add(name, {
    ...r,
    serviceCpuUs: (nodeS * 1e6) / r.requests,
    marginalCpuUs: (Math.max(0, nodeS - idleS) * 1e6) / r.requests,
    dbCpuUs: (dbS * 1e6) / r.requests,
  });
}

/** "median (min-max)" of `values`, or the one value; `dp` decimals. */
function spread(values: number[], dp: number, withRange = true): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  if (sorted.length === 1 || !withRange) return median.toFixed(dp);
  return `${median.toFixed(dp)} (${sorted[0]!.toFixed(dp)}-${sorted.at(-1)!.toFixed(dp)})`;
}

/** "what = x.xx" of the medians of two scenarios' rates. */
function ratio(a: string, b: string, what: string): string {
  const median = (name: string) => {
    const rates = (samples.get(name) ?? []).map((s) => s.rps).sort((x, y) => x - y);
    return rates[Math.floor((rates.length - 1) / 2)] ?? NaN;
  };
  return `${what} = ${(median(a) / median(b)).toFixed(2)}`;
}

function processes(n: number): string {
  return PROCESSES.length > 1 || n > 1 ? `, ${n} process${n > 1 ? "es" : ""}` : "";
}

async function pingRedis(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.quit();
  }
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
