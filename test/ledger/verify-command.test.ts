import { execFile } from "node:child_process";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { runMigrations } from "../../db/migrate";

const run = promisify(execFile);

/**
 * `npm run verify` on its own database (a broken ledger here must not disturb the
 * shared test database other files verify): passes on sound books, exits 1 and names
 * the invariant once a balance no longer equals the sum of its entries.
 */
// its own name per test run (TEST_DATABASE_NAME), so parallel runs on one PostgreSQL do not drop each other's
const DB = `${process.env.TEST_DATABASE_NAME ?? "balance_test"}_verify`;
let url: string;
let sql: postgres.Sql;

beforeAll(async () => {
  const adminUrl = new URL(inject("databaseUrl"));
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${DB}`);
  await admin.end();
  adminUrl.pathname = `/${DB}`;
  url = adminUrl.toString();
  await runMigrations(url);
  sql = postgres(url, { max: 1, onnotice: () => {} });
});
afterAll(() => sql?.end());

const verify = () =>
  run(process.execPath, ["--import", "tsx", "scripts/verify.ts"], { env: { ...process.env, DATABASE_URL: url } }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

it("exits 0 on sound books and 1 with the broken invariant named", async () => {
  const { openAccount } = await import("../../db/ledger/open-account");
  const { postEntry } = await import("../../db/ledger/post-entry");
  const accountId = await openAccount(sql, { name: "Verify", currency: "EUR" });
  await postEntry(sql, { accountId, amount: 1_000, type: "adjustment", contra: "adjustments" });
  await postEntry(sql, { accountId, amount: -250, type: "usage", contra: "usage_revenue" });

  const sound = await verify();
  expect(sound.code).toBe(0);
  expect(sound.stdout).toContain("ledger OK");

  // A balance changed behind the ledger's back (entries themselves cannot be edited).
  await sql`UPDATE accounts SET balance = balance + 1 WHERE id = ${accountId}`;
  const broken = await verify();
  expect(broken.code).toBe(1);
  expect(broken.stdout).toContain("VIOLATION: customer balance = sum of the account's entries");
  expect(broken.stdout).toContain(accountId);

  // A usage rollup that no longer equals the ledger (the balance put right again).
  await sql`UPDATE accounts SET balance = balance - 1 WHERE id = ${accountId}`;
  await sql`UPDATE usage_rollups SET amount = amount + 1 WHERE account_id = ${accountId}`;
  const rollup = await verify();
  expect(rollup.code).toBe(1);
  expect(rollup.stdout).not.toContain("VIOLATION: customer balance");
  expect(rollup.stdout).toContain("VIOLATION: usage rollups = the usage entries");
  expect(rollup.stdout).toContain(accountId);
});
