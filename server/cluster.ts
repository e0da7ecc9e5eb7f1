import cluster, { type Worker } from "node:cluster";
import type { Env } from "./env";
import type { Logger } from "./logger";

/** Longest the API processes may take to listen after being forked: 60 s (each migrates and connects first). */
const START_TIMEOUT_MS = 60_000;
/** Most restarts of crashed API processes per minute before the primary gives up and exits ("put a limit on everything"). */
const MAX_RESTARTS_PER_MINUTE = 10;

/**
 * WEB_CONCURRENCY > 1 needs Redis: each API process has its own event bus and rate
 * limiter, and only Redis carries a debit's balance event to an SSE connection held by
 * another process (server/events/redis.ts) and counts limits across them.
 * @throws Error, with what to do, when WEB_CONCURRENCY > 1 and REDIS_URL is unset.
 */
export function assertWebConcurrencyPossible(env: Pick<Env, "WEB_CONCURRENCY" | "REDIS_URL">): void {
  if (env.WEB_CONCURRENCY > 1 && !env.REDIS_URL) {
    throw new Error(
      `WEB_CONCURRENCY=${env.WEB_CONCURRENCY} needs REDIS_URL: live balance events (SSE) and rate limits must be ` +
        "shared between the API processes, and without Redis they stay inside each process. Set REDIS_URL, or run " +
        "one API process (WEB_CONCURRENCY=1).",
    );
  }
}

/**
 * Forks `count` API processes (node:cluster: they run this same entry point with
 * `cluster.isWorker` and share the listening port; the primary hands connections out
 * round-robin), each with `env` added, and resolves once all listen. A process that
 * dies is replaced, at most MAX_RESTARTS_PER_MINUTE times a minute, after which the
 * primary exits 1. `stop()` sends SIGTERM to each (it drains like a single process,
 * server/process.ts) and resolves once all have exited.
 * @throws Error when they do not all listen within START_TIMEOUT_MS, or one exits first.
 */
export async function forkApiProcesses(
  count: number,
  env: Record<string, string>,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  let stopping = false;
  const restarts: number[] = [];
  const fork = () => cluster.fork(env);

  const started = new Promise<void>((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => reject(new Error(`the API processes did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onListening = () => {
      if (++listening < count) return;
      clearTimeout(timer);
      cluster.off("listening", onListening);
      resolve();
    };
    cluster.on("listening", onListening);
    cluster.on("exit", (worker: Worker, code: number | null, signal: string | null) => {
      if (stopping) return;
      if (listening < count) {
        clearTimeout(timer);
        return reject(new Error(`an API process exited with ${signal ?? code} during start-up (its error is above)`));
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        logger.fatal({ restarts: restarts.length }, "API processes keep dying: giving up");
        process.exit(1);
      }
      logger.error({ pid: worker.process.pid, code, signal }, "API process died: starting another");
      fork();
    });
  });
  for (let i = 0; i < count; i++) fork();
  try {
    await started;
  } catch (err) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    throw err;
  }

  return {
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once("exit", () => resolve());
              worker.process.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}
