import { Logger as WorkerLogger, run, type Runner } from "graphile-worker";
import pg from "pg";
import type { AppDeps } from "../server/context";
import { recordJobOutcomes } from "../server/metrics/worker-events";
import { createTaskList, CRONTAB } from "./tasks";

/** Jobs run at once per worker process: 5 (each holds at most one pooled connection and one provider call). */
const WORKER_CONCURRENCY = 5;
/** Connections of the worker's pool: 10, graphile-worker's own default (`maxPoolSize`). */
const WORKER_POOL_MAX = 10;
/** Fallback poll interval: 2 s (graphile-worker is woken by LISTEN/NOTIFY; polling only covers missed notifications). */
const POLL_INTERVAL_MS = 2_000;

/**
 * Starts graphile-worker with our tasks and crontab on the service's database
 * (shared/DESIGN.md, "Processes"): embedded in `npm start`, alone in `npm run start:worker`.
 * Its own log lines go to our logger; job outcomes are counted in /metrics. Returns the
 * runner; `stop()` drains it and then closes its connections.
 *
 * The pool is ours, not one graphile-worker makes from a connection string: its own
 * `stop()` does not wait for the pool it made to close, and drops the pool's error
 * listener first, so a database stopped right after it (the embedded PostgreSQL at
 * shutdown) crashed the process with an unhandled 'error' event (issue 8).
 */
export async function startWorker(
  deps: Pick<
    AppDeps,
    "env" | "database" | "ledger" | "payments" | "logger" | "metrics" | "webhookTargets" | "mailer" | "publicUrl" | "vapid"
  >,
): Promise<Runner> {
  const log = deps.logger.child({ component: "worker" });
  const pgPool = new pg.Pool({ connectionString: deps.database.url, max: WORKER_POOL_MAX });
  pgPool.on("error", (err) => log.warn({ err }, "idle worker connection failed"));
  const runner = await run({
    pgPool,
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
  return {
    ...runner,
    stop: async () => {
      await runner.stop();
      await pgPool.end();
    },
  };
}
