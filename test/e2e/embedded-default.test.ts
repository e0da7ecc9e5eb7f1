import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, expect, it } from "vitest";

/**
 * The README's run command on this checkout with NO environment (only PATH and HOME):
 * embedded PostgreSQL under ./.data, simulated payments, the portal on
 * http://localhost:3000, and a demo login whose account already has a history.
 */
let child: ChildProcess | undefined;

afterAll(async () => {
  if (!child?.pid) return;
  process.kill(-child.pid, "SIGTERM");
  await new Promise((resolve) => child!.once("exit", resolve));
});

it("npm start serves the portal on :3000 with a demo login and history", async () => {
  child = spawn("npm", ["start"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    detached: true, // own process group, so the whole tree stops in afterAll
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await expect.poll(() => output, { timeout: 150_000, interval: 500 }).toMatch(/demo API key: (lb_sk_\S+)/);
  expect(output).toContain("running at http://localhost:3000");
  const apiKey = /demo API key: (lb_sk_\S+)/.exec(output)![1]!;
  const [, email, password] = /demo login: (\S+) \/ (\S+)/.exec(output)!;

  const portal = await fetch("http://localhost:3000/");
  expect(portal.status).toBe(200);
  expect(await portal.text()).toContain("<!doctype html>");

  const login = await fetch("http://localhost:3000/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const history = (await (await fetch("http://localhost:3000/api/v1/transactions", { headers: { cookie } })).json()) as {
    data: unknown[];
  };
  expect(history.data.length).toBeGreaterThanOrEqual(3);

  const balance = (await (
    await fetch("http://localhost:3000/api/v1/balance", { headers: { authorization: `Bearer ${apiKey}` } })
  ).json()) as { balance: number; currency: string };
  expect(balance.currency).toBe("EUR");
  expect(balance.balance).toBeGreaterThan(0);
});
