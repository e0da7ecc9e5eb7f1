import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";

const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));
/** Arbitrary but fixed key for pg_advisory_lock, so concurrent starters migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_262_511_001;

/**
 * Applies the committed drizzle migrations (db/migrations) and graphile-worker's own
 * schema (`graphile_worker`, which the debit statement enqueues into) to the database at
 * `url`, under a session-level advisory lock held on a dedicated connection, so N API
 * and worker processes starting together migrate once.
 */
export async function runMigrations(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await runWorkerMigrations({ connectionString: url, logger: silentWorkerLogger });
    await client`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** graphile-worker logs its migrations at info level to the console; the service has its own logger. */
const silentWorkerLogger = new Logger(() => () => {});
