import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Throughput and latency of one pgbench run. */
export interface PgbenchResult {
  /** Transactions per second (pgbench's own figure, without connection time). */
  tps: number;
  /** Per-transaction latency percentiles from pgbench's --log, ms. */
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Transactions processed (here one statement each). */
  transactions: number;
}

/**
 * Runs `pgbench -n -M prepared -c <clients> -j 2 -T <durationS> -f <script> --log` on
 * `databaseUrl` (PGBENCH, default /usr/bin/pgbench). One transaction = one run of the
 * script (here: one debit statement, autocommit, as the API sends it).
 * Asynchronous, so the caller can sample CPU while it runs (proc-cpu.ts).
 * @throws Error when pgbench fails.
 */
export async function runPgbench(databaseUrl: string, script: string, clients: number, durationS: number): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "pgbench-"));
  try {
    writeFileSync(join(dir, "debit.sql"), script);
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.env.PGBENCH ?? "/usr/bin/pgbench",
        ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(durationS), "-f", join(dir, "debit.sql"),
          "--log", `--log-prefix=${join(dir, "log")}`, databaseUrl],
      );
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.once("close", (status) => resolve({ status, stdout, stderr }));
    });
    if (run.status !== 0) throw new Error(`pgbench failed (${run.status}): ${run.stderr}`);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1] ?? NaN);
    const failed = Number(/number of failed transactions: (\d+)/.exec(run.stdout)?.[1] ?? 0);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(run.stdout)?.[1] ?? NaN);
    // log lines: client_id transaction_no latency_us script_no epoch_s epoch_us
    const latenciesUs = readdirSync(dir)
      .filter((f) => f.startsWith("log"))
      .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
      .filter(Boolean)
      .map((line) => Number(line.split(" ")[2]))
      .sort((a, b) => a - b);
    const pct = (p: number) => (latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(p * latenciesUs.length))] ?? NaN) / 1000;
    return { tps, p50Ms: pct(0.5), p99Ms: pct(0.99), failed, transactions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
