import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "./free-port";

/**
 * Two checkouts (or two DATA_DIRs) on one machine run side by side: each embedded
 * PostgreSQL takes a free port. Two processes on the SAME DATA_DIR cannot: the second
 * says why and what to do, and exits 1.
 */
const dirs: string[] = [];
const children: { pid: number; exited: Promise<unknown> }[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "balance-embedded-"));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await child.exited;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `tsx server/main.ts --server-only` (what `npm start` runs) with DATA_DIR and a free PORT. */
async function start(dataDir: string) {
  const port = await freePort();
  const child = spawn("npx", ["tsx", "server/main.ts", "--server-only"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), DEMO: "0" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve((exitCode = code))));
  children.push({ pid: child.pid!, exited });
  return { port, output: () => output, exitCode: () => exitCode, exited };
}

it("two instances with their own DATA_DIRs run at once; a second on the same DATA_DIR says what to do", { timeout: 300_000 }, async () => {
  // The second DATA_DIR does not exist yet (as ./.data on a fresh checkout).
  const [a, b] = await Promise.all([start(newDataDir()), start(join(newDataDir(), "not", "yet"))]);
  for (const instance of [a, b]) {
    await expect
      .poll(() => (instance.exitCode() === undefined ? instance.output() : `exited: ${instance.output()}`), { timeout: 150_000, interval: 250 })
      .toContain("running at");
    const health = await fetch(`http://127.0.0.1:${instance.port}/readyz`);
    expect(health.status).toBe(200);
  }

  const dataDir = dirs[0]!;
  const second = await start(dataDir);
  expect(await second.exited).toBe(1);
  expect(second.output()).toMatch(/Embedded PostgreSQL: an embedded PostgreSQL \(pid \d+, port \d+\) already runs on \S+\/pg/);
  expect(second.output()).toContain(`Another \`npm start\` uses DATA_DIR=${dataDir}`);
  expect((await fetch(`http://127.0.0.1:${a.port}/readyz`)).status).toBe(200); // the first is unharmed
});

it("a DATA_DIR it cannot use says so and what to do", async () => {
  const { startEmbeddedPostgres } = await import("../../server/embedded-postgres");
  const { createLogger } = await import("../../server/logger");
  const notADirectory = join(newDataDir(), "file");
  writeFileSync(notADirectory, "");
  await expect(startEmbeddedPostgres(notADirectory, createLogger("silent"))).rejects.toThrow(
    /^Embedded PostgreSQL: cannot create \S+\/file\/pg: .+\nSet DATA_DIR to a directory you may write\.$/,
  );
});
