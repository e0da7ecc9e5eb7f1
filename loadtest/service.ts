import { spawn } from "node:child_process";
import postgres from "postgres";

/** Where load tests and benchmarks create their databases (the local PostgreSQL by default). */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Drops and recreates database `name` on the server of ADMIN_DATABASE_URL.
 * Returns the new database's URL. @throws when PostgreSQL is unreachable.
 */
export async function recreateDatabase(name: string): Promise<string> {
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface RunningService {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** The server's process id (its memory is read from /proc/<pid>/status). */
  pid: number;
  /** Sends SIGTERM and resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the service as `npm start` runs it (`node --import tsx server/main.ts`) on
 * `databaseUrl` with DEMO=0 and LOG_LEVEL=warn (`env` overrides), and resolves once
 * /readyz answers 200 (the server migrates the database first).
 * @throws Error when it is not ready within `readyTimeoutS` (default 60 s) or exits early.
 */
export async function startService(
  databaseUrl: string,
  port: number,
  env: Record<string, string> = {},
  readyTimeoutS = 60,
): Promise<RunningService> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", DEMO: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  for (let i = 0; i < readyTimeoutS * 2; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) return { baseUrl, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`service did not become ready within ${readyTimeoutS} s`);
}
