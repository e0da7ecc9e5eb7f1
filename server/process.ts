import type { Logger } from "./logger";

/**
 * Runs `steps` in order on the first SIGINT or SIGTERM, then exits 0: how both entry
 * points (server/main.ts, workers/main.ts) stop cleanly (drain, close pools).
 */
export function stopOnSignals(logger: Logger, steps: (() => unknown)[]): void {
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    for (const step of steps) await step();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

/** Runs an entry point; a start-up failure prints its message (no stack) and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
