/**
 * `npm run verify`: checks the ledger invariants (db/ledger/README.md) on the database
 * at DATABASE_URL and exits 1 on any violation, printing examples. Read-only.
 */
import { openDatabase } from "../db/client";
import { verifyLedger } from "../db/ledger/verify";

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("Set DATABASE_URL to the database to verify.\n");
  process.exit(2);
}
const database = openDatabase(url, { max: 1 });
try {
  const violations = await verifyLedger(database.sql);
  const [counts] = await database.sql<{ accounts: number; entries: number }[]>`
    SELECT (SELECT count(*)::int FROM accounts WHERE kind = 'customer') AS accounts,
           (SELECT count(*)::int FROM ledger_entries) AS entries`;
  if (violations.length === 0) {
    process.stdout.write(`ledger OK: ${counts!.accounts} accounts, ${counts!.entries} entries, all invariants hold\n`);
  } else {
    for (const v of violations) {
      process.stdout.write(`VIOLATION: ${v.invariant}\n${JSON.stringify(v.examples, null, 2)}\n`);
    }
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
