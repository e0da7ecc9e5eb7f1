/**
 * `npm run loadtest -- <scenario>`: one k6 scenario (loadtest/scenarios/<scenario>.js)
 * against a fresh service, end to end:
 * 1. builds or reuses k6 with k6/x/sse (loadtest/build-k6.sh, cached in .cache/bin),
 * 2. recreates database `balance_load` at DATABASE_URL (default: local PostgreSQL),
 * 3. starts the service (`tsx server/main.ts`, DEMO=0) on LOADTEST_PORT (default 3918),
 * 4. seeds the scenario's accounts in bulk SQL (loadtest/seed.ts),
 * 5. runs k6, which prints its summary, stops the service, and exits with k6's code
 *    (99 when a threshold is crossed).
 * Scenario tunables (DURATION, VUS, RATE, P99_MS, ...) pass through the environment;
 * each scenario file lists its own.
 */
import { buildK6, runK6 } from "./k6";
import { seedForK6 } from "./seed";
import { recreateDatabase, startService } from "./service";

/** Accounts each scenario seeds (the issue: debits spread over 10 000 accounts). */
const SCENARIOS: Record<string, { accounts: number; about: string }> = {
  debits: { accounts: 10_000, about: "usage debits spread over 10 000 accounts" },
  hot: { accounts: 1, about: "debits on one hot account" },
  topups: { accounts: 100, about: "top-ups through the simulated checkout and webhook" },
  sse: { accounts: Number(process.env.SSE_CONNECTIONS ?? 1_000), about: "SSE connections, commit -> event delay (SSE_CONNECTIONS)" },
};

const name = process.argv[2] ?? "";
const scenario = SCENARIOS[name];
if (!scenario) {
  const list = Object.entries(SCENARIOS).map(([n, s]) => `  ${n.padEnd(8)} ${s.about}`);
  process.stderr.write(`usage: npm run loadtest -- <scenario>\n${list.join("\n")}\n`);
  process.exit(2);
}

const k6 = buildK6();
const databaseUrl = await recreateDatabase("balance_load");
const service = await startService(databaseUrl, Number(process.env.LOADTEST_PORT ?? 3918), {
  STRIPE_WEBHOOK_SECRET: "whsec_loadtest",
});
let code = 1;
try {
  const { seedFile } = await seedForK6(databaseUrl, scenario.accounts);
  code = await runK6(k6, [`loadtest/scenarios/${name}.js`], { BASE_URL: service.baseUrl, SEED_FILE: seedFile });
} finally {
  await service.stop();
}
process.exit(code);
