import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import {
  balanceText,
  createApiKeyInPage,
  debitThroughApi,
  markNoReload,
  signUpAndTopUp25,
  wasNotReloaded,
} from "./browser-harness";
import { freePort } from "./free-port";

/**
 * The production shape of README "Architecture": two API processes (`npm run
 * start:server`) sharing PostgreSQL and Redis, behind nginx running the committed
 * `nginx.conf` (only its ports changed). A dashboard opened through nginx holds its
 * live connection on one instance; debits on either instance reach it (Redis pub/sub);
 * when its instance stops, it reconnects through nginx to the other one and stays live.
 * Needs nginx (/usr/sbin/nginx, NGINX_PATH overrides) and a built portal.
 */
interface Instance {
  port: number;
  child: ChildProcess;
  output: () => string;
}

const children: ChildProcess[] = [];
let browser: Browser;
let prefix: string;
let base: string;
let instances: [Instance, Instance];

/** Runs `command` in its own process group (so stopping it stops its children too). */
function launch(
  command: string,
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    detached: true,
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function startInstance(port: number, publicUrl: string): Promise<Instance> {
  const proc = launch("node_modules/.bin/tsx", ["server/main.ts", "--server-only"], {
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: publicUrl,
    TRUST_PROXY: "1",
    STRIPE_WEBHOOK_SECRET: "whsec_scale_out_test",
    LOG_LEVEL: "warn",
  });
  await until(() => proc.output().includes("running at"), 60_000, `the instance on port ${port} to start`, proc.output);
  return { port, ...proc };
}

/** Polls `condition` every 100 ms (expect.poll works only inside a test); throws with `output()` on timeout. */
async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  output: () => string,
) {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** nginx.conf with its listen port and upstream ports replaced; fails if any is missing. */
function nginxConfig(listen: number, upstreams: [number, number]): string {
  const replacements: [string, string][] = [
    ["listen 3000;", `listen 127.0.0.1:${listen};`],
    ["server 127.0.0.1:3001;", `server 127.0.0.1:${upstreams[0]};`],
    ["server 127.0.0.1:3002;", `server 127.0.0.1:${upstreams[1]};`],
  ];
  let conf = readFileSync("nginx.conf", "utf8");
  for (const [from, to] of replacements) {
    if (!conf.includes(from)) throw new Error(`nginx.conf no longer contains "${from}"`);
    conf = conf.replace(from, to);
  }
  return conf;
}

/** Open SSE connections on one instance, from its own /metrics (nginx hides /metrics). */
async function sseOpen(instance: Instance): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
  return Number(/^sse_connections_open (\d+)/m.exec(text)?.[1] ?? NaN);
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    process.kill(-child.pid!, "SIGTERM");
  });

beforeAll(async () => {
  const [nginxPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
  base = `http://localhost:${nginxPort}`;
  // Both start at once: migrations at start-up take an advisory lock, so this is safe.
  instances = (await Promise.all([startInstance(portA, base), startInstance(portB, base)])) as [Instance, Instance];

  prefix = mkdtempSync(join(tmpdir(), "balance-nginx-"));
  writeFileSync(join(prefix, "nginx.conf"), nginxConfig(nginxPort, [portA, portB]));
  const nginx = launch(
    process.env.NGINX_PATH ?? "/usr/sbin/nginx",
    ["-p", prefix, "-c", "nginx.conf", "-g", "daemon off;"],
    {},
  );
  const healthy = () =>
    fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
  await until(healthy, 10_000, "nginx to answer /healthz", nginx.output);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(children.map(stop));
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

it("the live balance through nginx: debits on either instance arrive; failover to the other instance stays live", async () => {
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
  await signUpAndTopUp25(page, base, "Scale-out GmbH");
  await expect.poll(() => balanceText(page), { timeout: 10_000 }).toBe("25,00 €");
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);

  const secret = await createApiKeyInPage(page, "scale-out");
  expect(secret).toMatch(/^lb_sk_/);
  await markNoReload(page);

  // The dashboard's one live connection is on exactly one instance.
  await expect.poll(async () => (await sseOpen(instances[0])) + (await sseOpen(instances[1]))).toBe(1);
  const holder = (await sseOpen(instances[0])) === 1 ? instances[0] : instances[1];
  const other = holder === instances[0] ? instances[1] : instances[0];

  // A debit on the other instance crosses over Redis; one on the holder stays local.
  expect(
    (await debitThroughApi(`http://127.0.0.1:${other.port}`, secret, 300, "Debit on the other instance")).status,
  ).toBe(201);
  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("22,00 €");
  expect((await debitThroughApi(`http://127.0.0.1:${holder.port}`, secret, 200, "Debit on the holder")).status).toBe(
    201,
  );
  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("20,00 €");

  // The holder stops: the dashboard notices, reconnects through nginx to the other
  // instance, and a debit through nginx (now served by the other) arrives live.
  await stop(holder.child);
  await expect.poll(() => sseOpen(other), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => page.getByTestId("connection-status").textContent()).toMatch(/Live/);
  expect((await debitThroughApi(base, secret, 500, "Debit after failover")).status).toBe(201);
  await expect.poll(() => balanceText(page), { timeout: 5_000 }).toBe("15,00 €");
  await expect.poll(() => page.getByTestId("transactions-list").textContent()).toContain("Debit after failover");
  expect(await wasNotReloaded(page)).toBe(true);
  await page.close();
});
