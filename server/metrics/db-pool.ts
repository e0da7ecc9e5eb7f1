import { Gauge } from "prom-client";
import type { Sql } from "../../db/client";
import type { Metrics } from "./registry";

/** The application_name every pool of this service connects with (db/client.ts). */
const APPLICATION_NAME = "live-balance";

/**
 * Database pool usage, read at scrape time:
 * - `db_pool_max`: this process' pool size (DATABASE_POOL_MAX);
 * - `db_connections{state}`: the service's connections to its database as PostgreSQL
 *   sees them in pg_stat_activity (active = running a statement, idle, idle in
 *   transaction). postgres.js exposes no pool statistics, so this is the server's view:
 *   it counts every process of the service on that database (API and workers), and
 *   the scrape itself shows up as one active connection.
 */
export function registerPoolMetrics(metrics: Metrics, sql: Sql, poolMax: number): void {
  const registers = [metrics.registry];
  new Gauge({ name: "db_pool_max", help: "Connections this process' pool may open", registers }).set(poolMax);
  new Gauge({
    name: "db_connections",
    help: "Connections of this service to its database, by pg_stat_activity state",
    labelNames: ["state"],
    registers,
    async collect() {
      this.reset();
      const rows = await sql<{ state: string | null; n: number }[]>`
        SELECT state, count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = ${APPLICATION_NAME} AND datname = current_database()
         GROUP BY state`;
      for (const row of rows) this.set({ state: row.state ?? "unknown" }, row.n);
    },
  });
}
