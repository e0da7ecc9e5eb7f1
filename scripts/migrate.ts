/** `npm run db:migrate`: applies db/migrations to DATABASE_URL (the server also does this at start). */
import { runMigrations } from "../db/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("Set DATABASE_URL to the database to migrate.\n");
  process.exit(2);
}
await runMigrations(url);
process.stdout.write("migrations applied\n");
