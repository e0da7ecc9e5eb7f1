import { startServices } from "../server/bootstrap";
import { loadEnv } from "../server/env";
import { createLogger } from "../server/logger";
import { startWorker } from "./start-worker";

/**
 * `npm run start:worker`: the graphile-worker process alone (production runs N of these
 * beside the API processes). Same configuration as the API (server/env.ts).
 */
async function main() {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const services = await startServices(env, logger);
  const runner = await startWorker(services.deps);
  logger.info("worker running");
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "worker shutting down");
    await runner.stop();
    await services.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
