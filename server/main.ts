import cluster from "node:cluster";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "./app";
import { startServices, type Services } from "./bootstrap";
import { assertWebConcurrencyPossible, forkApiProcesses } from "./cluster";
import { deliverToApp } from "./payments/deliver-to-app";
import { seedDemo, seedDemoOperator, startDemoUsage, type DemoLogin } from "./demo";
import { loadEnv, type Env } from "./env";
import { closeHttpServer, runMain, stopOnSignals } from "./process";
import { createLogger } from "./logger";
import { withUsageFastPath } from "./routes/usage/fast-path";
import { startWorker } from "../workers/start-worker";

/**
 * `npm start`: the whole service in one process. With no environment it runs on the
 * embedded default and prints the URL and a demo login. `--demo-usage` (or
 * DEMO_USAGE=1) debits the demo account every few seconds so the live view moves.
 * The graphile-worker (auto top-ups, hold expiry) runs in the same process unless
 * `--server-only` (`npm run start:server`; then run `npm run start:worker` beside it).
 * WEB_CONCURRENCY=N > 1: this process becomes the primary of N API processes sharing
 * the port (server/cluster.ts); it keeps the worker, the demo and the embedded
 * PostgreSQL, and serves no HTTP itself.
 */
async function main() {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  assertWebConcurrencyPossible(env);
  const apiProcess = cluster.isWorker;
  const services = await startServices(env, logger);
  const app = createApp(services.deps);
  services.setWebhookDelivery(deliverToApp(app));
  const worker = apiProcess || process.argv.includes("--server-only") ? null : await startWorker(services.deps);

  const demoEnabled = !apiProcess && (env.DEMO ? env.DEMO === "1" : services.embedded);
  const demo = demoEnabled ? await seedDemo(services.deps) : null;
  const demoOperator = demoEnabled ? await seedDemoOperator(services.deps) : null;
  const stopDemoUsage =
    demo && (env.DEMO_USAGE === "1" || process.argv.includes("--demo-usage"))
      ? startDemoUsage(services.deps, demo.accountId)
      : () => {};

  let stopHttp: () => Promise<void>;
  if (env.WEB_CONCURRENCY > 1 && !apiProcess) {
    // the API processes use this process' database (the embedded one too), never seed the demo
    const api = await forkApiProcesses(env.WEB_CONCURRENCY, { DATABASE_URL: services.deps.database.url, DEMO: "0" }, logger);
    stopHttp = api.stop;
    printBanner(env, services, { demo, demoOperator }, env.WEB_CONCURRENCY);
  } else {
    const server = createServer(await withUsageFastPath(services.deps, getRequestListener(app.fetch, { hostname: env.HOST })));
    server.listen(env.PORT, env.HOST, () => {
      if (!apiProcess) printBanner(env, services, { demo, demoOperator }, 1);
    });
    stopHttp = () => closeHttpServer(server);
  }

  stopOnSignals(logger, [
    { name: "http", run: stopHttp },
    { name: "demo usage", run: stopDemoUsage },
    { name: "worker", run: () => worker?.stop() },
    { name: "services", run: services.stop }, // pools, bus, limits, mailer, then the embedded PostgreSQL
  ]);
}

/** What the start banner prints of the demo: the customer login and the console's operator login. */
type DemoLogins = { demo: DemoLogin | null; demoOperator: Awaited<ReturnType<typeof seedDemoOperator>> | null };

function printBanner(env: Env, services: Services, { demo, demoOperator }: DemoLogins, processes: number) {
  const lines = [`Live balance service running at ${services.deps.publicUrl} (port ${env.PORT})`];
  if (processes > 1) lines.push(`  API processes: ${processes} (WEB_CONCURRENCY)`);
  if (services.embedded) lines.push(`  database: embedded PostgreSQL under ${env.DATA_DIR}/pg`);
  lines.push(
    `  payments: ${services.deps.payments.name}, events: ${env.REDIS_URL ? "redis" : "in-process"}, ` +
      `emails: ${services.deps.mailer.transport === "smtp" ? "SMTP" : "logged (set SMTP_URL to send)"}`,
  );
  if (demo) lines.push(`  demo login: ${demo.email} / ${demo.password}`, `  demo API key: ${demo.apiKey}`);
  if (demoOperator) {
    lines.push(
      `  operator console: ${demoOperator.consoleUrl}`,
      `  demo operator login: ${demoOperator.email} / ${demoOperator.password} (admin; set up TOTP at the first log-in)`,
    );
  }
  lines.push(`  API docs: ${services.deps.publicUrl}/docs`);
  process.stdout.write(lines.join("\n") + "\n");
}

runMain(main);
