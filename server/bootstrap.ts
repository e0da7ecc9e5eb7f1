import { openDatabase, type Database } from "../db/client";
import { issuerFromEnv } from "./documents/issuer-config";
import { runMigrations } from "../db/migrate";
import { debit, type DebitInput } from "../db/ledger/debit";
import { createApiKeyCache } from "./auth/api-key-cache";
import { createApiKeyLastUsed } from "./auth/api-key-last-used";
import { createApiKeyLookup } from "./auth/api-key-lookup";
import type { AppDeps } from "./context";
import { startEmbeddedPostgres } from "./embedded-postgres";
import type { Env } from "./env";
import type { EventBus } from "./events/bus";
import { createInProcessBus } from "./events/in-process";
import { createRedisBus } from "./events/redis";
import { createDebitCoalescer } from "./ledger/coalesce-debits";
import { createGroupCommitter } from "./ledger/group-commit";
import type { Logger } from "./logger";
import { registerPoolMetrics } from "./metrics/db-pool";
import { countingSink } from "./metrics/ledger-sink";
import { registerRateLimitStoreMetrics } from "./metrics/rate-limit-store";
import { createMetrics } from "./metrics/registry";
import { createPaymentProvider, type WebhookDelivery } from "./payments/index";
import { createRateLimits } from "./rate-limits";
import { createMailer } from "./notifications/mailer";
import { resolveVapidDetails } from "./notifications/vapid";
import { namesPrivateHost } from "./webhooks/targets";

export interface Services {
  deps: AppDeps;
  /** True when running on the embedded PostgreSQL (no DATABASE_URL). */
  embedded: boolean;
  /** Lets the simulated provider post its signed events to our own webhook route. */
  setWebhookDelivery(deliver: WebhookDelivery): void;
  stop(): Promise<void>;
}

/**
 * Builds the process dependencies from the environment: each unset variable falls
 * back to the embedded default (shared/DESIGN.md, "Processes and the embedded default").
 * Migrates the database before returning.
 * @throws Error when a configured PostgreSQL or Redis cannot be reached.
 */
export async function startServices(env: Env, logger: Logger): Promise<Services> {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(env.DATA_DIR, logger);
    databaseUrl = embedded.url;
    stops.push(embedded.stop);
  }
  const database: Database = openDatabase(databaseUrl, { max: env.DATABASE_POOL_MAX });
  stops.unshift(database.close);
  await database.sql`SELECT 1`.catch((err: Error) => {
    throw new Error(`Cannot reach PostgreSQL at ${redact(databaseUrl)}: ${err.message}`);
  });
  await runMigrations(databaseUrl);

  const bus: EventBus = env.REDIS_URL ? await createRedisBus(env.REDIS_URL, logger) : createInProcessBus();
  stops.unshift(bus.close);
  const rateLimits = await createRateLimits(
    { redisUrl: env.REDIS_URL, signupsPerHour: env.SIGNUP_RATE_LIMIT_PER_HOUR },
    logger,
  );
  stops.unshift(rateLimits.close);

  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
  const webhookTargets = {
    allowPrivateTargets: (env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? (namesPrivateHost(publicUrl) ? "1" : "0")) === "1",
  };
  let deliver: WebhookDelivery | null = null;
  const payments = createPaymentProvider({
    env,
    publicUrl,
    database,
    logger,
    deliverWebhook: (rawBody, signature) => {
      if (!deliver) throw new Error("webhook delivery not wired yet");
      return deliver(rawBody, signature);
    },
  });

  const vapid = await resolveVapidDetails(env, database.sql);
  const mailer = createMailer(env, logger);
  stops.unshift(async () => mailer.close());
  const metrics = createMetrics();
  registerPoolMetrics(metrics, database.sql, env.DATABASE_POOL_MAX);
  registerRateLimitStoreMetrics(metrics, rateLimits);
  const ledger = { sql: database.sql, events: countingSink(bus, metrics), issuer: issuerFromEnv(env) };
  const single =
    env.DEBIT_COALESCING === "1" ? createDebitCoalescer(ledger) : { debit: (input: DebitInput) => debit(ledger, input) };
  const debits = env.GROUP_COMMIT_WAIT_MS > 0 ? createGroupCommitter(ledger, single, env.GROUP_COMMIT_WAIT_MS) : single;
  const apiKeyCache = createApiKeyCache(env.API_KEY_CACHE_TTL_MS);
  // a key revoked or limited on any process leaves every process's cache at once
  await bus.onApiKeyChanged((apiKeyId) => apiKeyCache.evict(apiKeyId));
  const apiKeyLookup = createApiKeyLookup(database.sql);
  const apiKeyLastUsed = createApiKeyLastUsed(database.sql, env.API_KEY_LAST_USED_FLUSH_MS, logger);
  stops.unshift(apiKeyLastUsed.stop); // the last stamps, before the pool closes

  return {
    deps: {
      env,
      publicUrl,
      database,
      ledger,
      bus,
      payments,
      logger,
      metrics,
      debits,
      webhookTargets,
      mailer,
      vapid,
      rateLimits,
      apiKeyCache,
      apiKeyLookup,
      apiKeyLastUsed,
    },
    embedded: !env.DATABASE_URL,
    setWebhookDelivery: (d) => {
      deliver = d;
    },
    stop: async () => {
      for (const stop of stops) await stop().catch((err: unknown) => logger.warn({ err }, "shutdown step failed"));
    },
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
