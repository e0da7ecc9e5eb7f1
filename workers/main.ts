import { startServices } from "../server/bootstrap";
import { loadEnv } from "../server/env";
import { createLogger } from "../server/logger";
import { runMain, stopOnSignals } from "../server/process";
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
  stopOnSignals(logger, [
    { name: "worker", run: () => runner.stop() },
    { name: "services", run: services.stop },
  ]);
}

runMain(main);
