import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./client";

const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));
/** Arbitrary but fixed key for pg_advisory_lock, so concurrent starters migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_262_511_001;

/**
 * Applies the committed drizzle migrations (db/migrations) under a session-level
 * advisory lock, so N API and worker processes starting together migrate once.
 */
export async function runMigrations(database: Database): Promise<void> {
  const lockConn = await database.sql.reserve();
  try {
    await lockConn`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lockConn`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    lockConn.release();
  }
}
