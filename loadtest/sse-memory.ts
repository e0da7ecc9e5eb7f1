/**
 * Measures the server's memory per idle SSE connection, the figure `npm run bench`
 * reports, without the rest of the bench (~30 s instead of ~3.5 min):
 *
 *   npm run measure:sse-memory [-- --connections 10000]
 *
 * Recreates the database `balance_sse_memory` at DATABASE_URL (default: local
 * PostgreSQL), starts the service (`tsx server/main.ts`) on 127.0.0.1, seeds one
 * account per connection, opens the connections with k6 (loadtest/bench/idle-sse-memory.ts),
 * prints KB per connection with the RSS and JS heap deltas, then closes everything and exits.
 */
import { parseArgs } from "node:util";
import { buildK6 } from "./k6";
import { seedForK6 } from "./seed";
import { recreateDatabase, startService } from "./service";
import { formatIdleSseMemory, openIdleSse } from "./bench/idle-sse-memory";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10000" },
    port: { type: "string", default: "3916" },
  },
});
const connections = Number(values.connections);
const k6 = buildK6();
const databaseUrl = await recreateDatabase("balance_sse_memory");
const service = await startService(databaseUrl, Number(values.port));
try {
  const { seedFile } = await seedForK6(databaseUrl, connections);
  // HOLD_S bounds the k6 holder should this process die before closing it.
  const idle = await openIdleSse(k6, service, { BASE_URL: service.baseUrl, SEED_FILE: seedFile }, connections, 120);
  await idle.close();
  process.stdout.write(`${formatIdleSseMemory(idle.memory)}\n`);
} finally {
  await service.stop();
}
