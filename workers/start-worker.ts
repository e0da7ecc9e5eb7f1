import { Logger as WorkerLogger, run, type Runner } from "graphile-worker";
import type { AppDeps } from "../server/context";
import { recordJobOutcomes } from "../server/metrics/worker-events";
import { createTaskList, CRONTAB } from "./tasks";

/** Jobs run at once per worker process: 5 (each holds at most one pooled connection and one provider call). */
const WORKER_CONCURRENCY = 5;
/** Fallback poll interval: 2 s (graphile-worker is woken by LISTEN/NOTIFY; polling only covers missed notifications). */
const POLL_INTERVAL_MS = 2_000;

/**
 * Starts graphile-worker with our tasks and crontab on the service's database
 * (shared/DESIGN.md, "Processes"): embedded in `npm start`, alone in `npm run start:worker`.
 * Its own log lines go to our logger; job outcomes are counted in /metrics. Returns the
 * runner; `stop()` drains it.
 */
export async function startWorker(
  deps: Pick<
    AppDeps,
    "env" | "database" | "ledger" | "payments" | "logger" | "metrics" | "webhookTargets" | "mailer" | "publicUrl" | "vapid"
  >,
): Promise<Runner> {
  const log = deps.logger.child({ component: "worker" });
  const runner = await run({
    connectionString: deps.database.url,
    concurrency: WORKER_CONCURRENCY,
    pollInterval: POLL_INTERVAL_MS,
    noHandleSignals: true,
    logger: new WorkerLogger((scope) => (level, message, meta) => {
      const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
      log[method]({ scope, ...meta }, message);
    }),
    taskList: createTaskList({ ...deps, logger: log, now: () => new Date() }),
    crontab: CRONTAB,
  });
  recordJobOutcomes(runner.events, deps.metrics);
  return runner;
}
