/**
 * `npm run operator:create -- --email E --role admin|support`: creates an operator user
 * (platform staff, issue 11) on the database at DATABASE_URL and prints a one-time
 * set-password link (24 h). The new operator sets a password there, then must enrol TOTP.
 * Audited as the actor `cli`. Exits 1 when the email exists, 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { openDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { createOperatorUser, operatorSetPasswordUrl } from "../db/operators/operator-users";

const usage = "usage: npm run operator:create -- --email someone@example.com --role admin|support\n";
const { values } = parseArgs({ options: { email: { type: "string" }, role: { type: "string" } } });
const email = values.email?.trim().toLowerCase();
const role = values.role;
if (!email || !/^[^\s@]+@[^\s@]+$/.test(email) || (role !== "admin" && role !== "support")) {
  process.stderr.write(usage);
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("Set DATABASE_URL to the service's database (the embedded default prints a demo operator at npm start instead).\n");
  process.exit(2);
}
const publicUrl = (process.env.PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
await runMigrations(url);
const database = openDatabase(url, { max: 1 });
try {
  const created = await createOperatorUser(database.sql, { email, role }, { actor: "cli" });
  if (!created) {
    process.stderr.write(`An operator user ${email} exists already.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(
      `Operator ${created.user.email} (${created.user.role}) created.\n` +
        `One-time set-password link (valid 24 hours):\n  ${operatorSetPasswordUrl(publicUrl, created.token)}\n`,
    );
  }
} finally {
  await database.close();
}
