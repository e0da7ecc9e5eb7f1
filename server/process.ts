import type { Server } from "node:http";
import type { Logger } from "./logger";

/**
 * Longest a shutdown may take before the process exits 1 anyway: 8 s, under the 10 s
 * a container runtime waits after SIGTERM before it sends SIGKILL (Docker's default).
 */
const SHUTDOWN_DEADLINE_MS = 8_000;
/**
 * How long requests in flight get to finish once the HTTP server stops accepting: 2 s (an
 * API request takes milliseconds). Live event streams never finish: they are cut then,
 * and their clients reconnect (to another instance) with Last-Event-ID.
 */
const HTTP_DRAIN_MS = 2_000;

/** One step of an orderly shutdown; `name` is for the log. */
export interface ShutdownStep {
  name: string;
  run: () => unknown;
}

/**
 * On the first SIGINT or SIGTERM, runs `steps` one after another, in order (a failing
 * step is logged and the next one runs), then exits 0; past SHUTDOWN_DEADLINE_MS it
 * exits 1. Later signals (a terminal's Ctrl-C reaches npm, tsx and node alike) are
 * ignored while it runs. How both entry points (server/main.ts, workers/main.ts) stop:
 * whatever takes work first, pools next, the embedded PostgreSQL last.
 */
export function stopOnSignals(logger: Logger, steps: ShutdownStep[]): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown did not finish in time");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        logger.warn({ err, step: step.name }, "shutdown step failed");
      }
    }
    logger.info("shut down");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/**
 * Stops accepting connections, lets requests in flight finish for HTTP_DRAIN_MS, then
 * closes the connections still open (live event streams). Resolves when all are closed.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS).unref();
  });
}

/** Runs an entry point; a start-up failure prints its message (no stack) and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : `start-up failed: ${String(err)}`}\n`);
    process.exit(1);
  });
}
