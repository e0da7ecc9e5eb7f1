import { Logger as WorkerLogger, run, type Runner } from "graphile-worker";
import { inject } from "vitest";
import { createApp, type App } from "../server/app";
import { startServices, type Services } from "../server/bootstrap";
import { loadEnv } from "../server/env";
import { createLogger } from "../server/logger";
import { deliverToApp } from "../server/payments/deliver-to-app";
import { createTaskList } from "../workers/tasks";
import { assertDocumented } from "./openapi-responses";

export interface TestContext {
  app: App;
  services: Services;
  deps: Services["deps"];
  /**
   * Sends a request through the real app (in-process, real PostgreSQL). Rejects when the
   * response is not one the OpenAPI document declares (test/openapi-responses.ts).
   */
  request(method: string, path: string, init?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface RequestOptions {
  /** Object bodies are JSON-encoded; strings are sent as they are (malformed JSON tests). */
  body?: unknown;
  cookie?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** A complete issuer, which real payments (STRIPE_SECRET_KEY) need for their receipts (server/documents/issuer-config.ts). */
export const TEST_ISSUER_ENV: Record<string, string> = {
  ISSUER_NAME: "Stripe Test GmbH",
  ISSUER_ADDRESS: "Teststraße 1|10115 Berlin",
  ISSUER_VAT_ID: "DE136695976",
};

/** The test webhook secret: the simulated provider signs with it and the route checks it. */
export const TEST_WEBHOOK_SECRET = "whsec_test_secret_for_vitest";

/**
 * Builds the app exactly as `npm start` does (server/bootstrap.ts), on the test
 * database from global-setup; `env` overrides variables (e.g. REDIS_URL).
 */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const config = loadEnv({
    DATABASE_URL: inject("databaseUrl"),
    DATABASE_POOL_MAX: "30",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    PUBLIC_URL: "http://localhost:3000",
    SIGNUP_RATE_LIMIT_PER_HOUR: "1000000", // tests sign up hundreds of customers from one address

    ...env,
  });
  const services = await startServices(config, createLogger(config.LOG_LEVEL));
  const app = createApp(services.deps);
  services.setWebhookDelivery(deliverToApp(app));
  const request = (method: string, path: string, init: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.cookie) headers.cookie = init.cookie;
    if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    return Promise.resolve(app.request(path, { method, headers, body })).then((res) => assertDocumented(method, path, res));
  };
  return { app, services, deps: services.deps, request, close: () => services.stop() };
}

export interface Customer {
  cookie: string;
  accountId: string;
  email: string;
  /** An API key with usage:write and balance:read. */
  apiKey: string;
}

let customerCounter = 0;

/** Signs up a new user (own account, email verified) and creates an API key for it. */
export async function newCustomer(ctx: TestContext, currency = "EUR"): Promise<Customer> {
  const email = `user${Date.now()}_${process.pid}_${++customerCounter}@example.test`;
  const res = await ctx.request("POST", "/api/v1/auth/signup", {
    body: { email, password: "correct horse battery", name: "Test Co", currency },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const me = (await res.json()) as { account: { id: string } };
  // As if the verification link were opened: notification emails go to verified addresses only.
  await ctx.deps.database.sql`UPDATE users SET email_verified_at = now() WHERE email = ${email}`;
  const keyRes = await ctx.request("POST", "/api/v1/api-keys", { cookie, body: { name: "test" } });
  if (keyRes.status !== 201) throw new Error(`api key failed: ${keyRes.status} ${await keyRes.text()}`);
  const { secret } = (await keyRes.json()) as { secret: string };
  return { cookie, accountId: me.account.id, email, apiKey: secret };
}

/** Credits `amount` minor units straight through the ledger (test setup, not a payment). */
export async function fund(ctx: TestContext, accountId: string, amount: number): Promise<void> {
  const { credit } = await import("../db/ledger/credit");
  await credit(ctx.deps.ledger, { accountId, amount, type: "adjustment", contra: "adjustments", description: "test funding" });
}

/**
 * A graphile-worker on the test database running only `task` (as the service's worker
 * builds it): graphile-worker runs only the tasks it is given, so other test files' jobs
 * of other tasks on this shared database are left alone. Jobs of `task` enqueued by other
 * files may run here too, unless `owns` tells this file's jobs apart: another file's job is
 * then enqueued again for its own worker (each file's emails go to its own SMTP sink).
 * Polls every 200 ms; `stop()` it in afterAll.
 */
export async function startTaskWorker(
  ctx: TestContext,
  task: string,
  options: { owns?: (payload: unknown) => boolean } = {},
): Promise<Runner> {
  const tasks = createTaskList({ ...ctx.deps, now: () => new Date(), logger: createLogger("silent") });
  const handler = tasks[task];
  if (!handler) throw new Error(`no worker task ${task}`);
  const { owns } = options;
  return run({
    connectionString: ctx.deps.database.url,
    concurrency: 2,
    pollInterval: 200,
    noHandleSignals: true,
    logger: new WorkerLogger(() => () => {}),
    taskList: {
      // Another test file's job (files run in parallel on one database): put it back for its own worker.
      [task]: owns ? async (payload, helpers) => (owns(payload) ? handler(payload, helpers) : void (await helpers.addJob(task, payload))) : handler,
    },
  });
}

/** `owns` for jobs with a recipient `to`: this test file's, whose addresses carry `_<pid>_` (newCustomer, uniqueEmail). */
export const mailedByThisFile = (payload: unknown) => String((payload as { to?: unknown }).to ?? "").includes(`_${process.pid}_`);
