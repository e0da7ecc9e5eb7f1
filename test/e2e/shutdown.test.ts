import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "./free-port";

/**
 * Ctrl-C on `npm start`, twice on the same DATA_DIR: the terminal sends SIGINT to the
 * whole foreground process group (npm, tsx, node and, before the fix, the embedded
 * PostgreSQL too). Each run must stop in order and exit 0, with no FATAL from
 * PostgreSQL and no unhandled error in its output.
 */
const dataDir = mkdtempSync(join(tmpdir(), "balance-shutdown-"));
chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function startAndInterrupt(port: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  const child = spawn("npm", ["start", "--", "--demo-usage"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port) },
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<NonNullable<typeof exit>>((resolve) =>
    child.once("exit", (code, signal) => resolve((exit = { code, signal }))),
  );
  await expect.poll(() => (exit ? `exited early: ${output}` : output), { timeout: 150_000, interval: 250 }).toMatch(/demo API key: lb_sk_\S+/);
  // An open live stream must not hold the shutdown up.
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "demo@example.com", password: "demo-password" }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const stream = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: { cookie } });
  expect(stream.status).toBe(200);
  process.kill(-child.pid!, "SIGINT");
  const result = await exited;
  return { ...result, output };
}

it("Ctrl-C stops npm start cleanly, twice in a row on the same data", { timeout: 400_000 }, async () => {
  for (let run = 1; run <= 2; run++) {
    const { code, signal, output } = await startAndInterrupt(await freePort());
    expect({ run, code, signal, output }).toEqual({ run, code: 0, signal: null, output: expect.not.stringMatching(/FATAL|57P01|Unhandled|uncaught|terminating connection/i) });
    expect(output).toMatch(/shut down/);
  }
});
