/**
 * Screenshots of the portal for a change's before/after note (issue 12): the dashboard, the
 * auto top-up card and the phone navigation with its menu open, in English and German.
 *
 *   npx tsx scripts/screenshots.ts <out-dir>
 *
 * Starts the service of the working tree it is run in (`tsx server/main.ts`, cwd) with the
 * demo account (DEMO=1) on a fresh database created for the run on the PostgreSQL at
 * SCREENSHOTS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and a temp
 * DATA_DIR, no Redis; logs in as the demo user in Chromium (playwright-core, CHROMIUM_PATH or
 * /usr/bin/chromium) and writes `<out-dir>/{dashboard,auto-topup,phone-nav}-{en,de}.png`.
 * The database and DATA_DIR are removed afterwards. Needs a built portal (npm run build:portal).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { chromium, type Browser } from "playwright-core";

/** How long the service may take to answer /healthz: 120 s (migrations and the demo history on a loaded machine). */
const START_TIMEOUT_MS = 120_000;
/** Desktop and phone viewports (px): a 1280-px laptop, an iPhone 12-sized phone. */
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The demo login (server/demo.ts). */
const DEMO_LOGIN = { email: "demo@example.com", password: "demo-password" };

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
    server.on("error", fail);
  });
}

async function waitForHealth(base: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("the service exited before it answered /healthz");
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the service did not answer ${base}/healthz within ${START_TIMEOUT_MS} ms`);
}

async function shoot(browser: Browser, base: string, outDir: string, lang: "en" | "de"): Promise<void> {
  const locale = lang === "de" ? "de-DE" : "en-US";
  const desktop = await browser.newContext({ locale, viewport: DESKTOP, timezoneId: "Europe/Berlin" });
  const page = await desktop.newPage();
  await page.goto(`${base}/login`);
  await page.evaluate(async (login) => {
    const res = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(login),
    });
    if (!res.ok) throw new Error(`login: ${res.status}`);
  }, DEMO_LOGIN);
  await page.goto(`${base}/`);
  await page.getByTestId("balance").waitFor();
  await page.getByTestId("autotopup-card").waitFor();
  await page.waitForTimeout(1_000); // live badge, month figures, fonts
  await page.screenshot({ path: join(outDir, `dashboard-${lang}.png`), fullPage: true });
  await page.getByTestId("autotopup-card").screenshot({ path: join(outDir, `auto-topup-${lang}.png`) });

  const phone = await desktop.newPage();
  await phone.setViewportSize(PHONE);
  await phone.goto(`${base}/`);
  await phone.getByTestId("balance").waitFor();
  await phone.getByTestId("nav-menu-toggle").click();
  await phone.getByTestId("nav-menu").waitFor();
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: join(outDir, `phone-nav-${lang}.png`) });
  await desktop.close();
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? "screenshots");
  if (!existsSync("portal/build/index.html")) throw new Error("no portal/build: run npm run build:portal first");
  mkdirSync(outDir, { recursive: true });
  const adminUrl = process.env.SCREENSHOTS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `screenshots_${process.pid}_${Date.now()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const dataDir = mkdtempSync(join(tmpdir(), "screenshots-"));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const { REDIS_URL: _noRedis, ...inherited } = process.env; // the in-process event bus: nothing shared
  const service = spawn("npx", ["tsx", "server/main.ts"], {
    env: {
      ...inherited,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: base,
      DEMO: "1",
      DEMO_USAGE: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  let exited = false;
  service.on("exit", () => (exited = true));
  let browser: Browser | null = null;
  try {
    await waitForHealth(base, () => exited);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    for (const lang of ["en", "de"] as const) await shoot(browser, base, outDir, lang);
    console.log(`screenshots written to ${outDir}`);
  } finally {
    await browser?.close();
    if (!exited) {
      process.kill(-service.pid!, "SIGTERM"); // its process group: npx and the tsx child
      await new Promise((r) => service.once("exit", r));
    }
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
