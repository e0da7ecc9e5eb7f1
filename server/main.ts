import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { startServices } from "./bootstrap";
import { deliverToApp } from "./payments/deliver-to-app";
import { seedDemo, seedDemoOperator, startDemoUsage } from "./demo";
import { loadEnv } from "./env";
import { closeHttpServer, runMain, stopOnSignals } from "./process";
import type { Server } from "node:http";
import { createLogger } from "./logger";
import { startWorker } from "../workers/start-worker";

/**
 * `npm start`: the whole service in one process. With no environment it runs on the
 * embedded default and prints the URL and a demo login. `--demo-usage` (or
 * DEMO_USAGE=1) debits the demo account every few seconds so the live view moves.
 * The graphile-worker (auto top-ups, hold expiry) runs in the same process unless
 * `--server-only` (`npm run start:server`; then run `npm run start:worker` beside it).
 */
async function main() {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const services = await startServices(env, logger);
  const app = createApp(services.deps);
  services.setWebhookDelivery(deliverToApp(app));
  const worker = process.argv.includes("--server-only") ? null : await startWorker(services.deps);

  const demoEnabled = env.DEMO ? env.DEMO === "1" : services.embedded;
  const demo = demoEnabled ? await seedDemo(services.deps) : null;
  const demoOperator = demoEnabled ? await seedDemoOperator(services.deps) : null;

  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    const lines = [`Live balance service running at ${services.deps.publicUrl} (port ${info.port})`];
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
  });

  const stopDemoUsage =
    demo && (env.DEMO_USAGE === "1" || process.argv.includes("--demo-usage"))
      ? startDemoUsage(services.deps, demo.accountId)
      : () => {};

  stopOnSignals(logger, [
    { name: "http", run: () => closeHttpServer(server as Server) },
    { name: "demo usage", run: stopDemoUsage },
    { name: "worker", run: () => worker?.stop() },
    { name: "services", run: services.stop }, // pools, bus, limits, mailer, then the embedded PostgreSQL
  ]);
}

runMain(main);
