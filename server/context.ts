import type { Database } from "../db/client";
import type { ApiKeyCache } from "./auth/api-key-cache";
import type { ApiKeyLastUsed } from "./auth/api-key-last-used";
import type { ApiKeyLookup } from "./auth/api-key-lookup";
import type { OperatorSession } from "./auth/operator-sessions";
import type { DebitCoalescer } from "./ledger/coalesce-debits";
import type { LedgerContext } from "../db/ledger/types";
import type { Env } from "./env";
import type { EventBus } from "./events/bus";
import type { Logger } from "./logger";
import type { IdempotencyCompletion } from "./middleware/idempotency";
import type { Metrics } from "./metrics/registry";
import type { Mailer } from "./notifications/mailer";
import type { VapidDetails } from "./notifications/vapid";
import type { PaymentProvider } from "./payments/provider";
import type { RateLimits } from "./rate-limits";
import type { WebhookTargetPolicy } from "./webhooks/targets";

/** Everything a request handler may use, built once per process (server/main.ts). */
export interface AppDeps {
  env: Env;
  /** Base URL the browser reaches us on, without trailing slash. */
  publicUrl: string;
  database: Database;
  ledger: LedgerContext;
  bus: EventBus;
  payments: PaymentProvider;
  logger: Logger;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
  /** Valid API keys of recent requests (saves the api_keys SELECT). */
  apiKeyCache: ApiKeyCache;
  /** Loads the keys the cache misses, a turn's misses with one statement. */
  apiKeyLookup: ApiKeyLookup;
  /** Keys used on this process, their last_used_at stamped every API_KEY_LAST_USED_FLUSH_MS. */
  apiKeyLastUsed: ApiKeyLastUsed;
  /** Log-in and sign-up limits, in Redis when REDIS_URL is set. */
  rateLimits: RateLimits;
  /** Where customers' webhook endpoints may point (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  webhookTargets: WebhookTargetPolicy;
  /** Notification emails: SMTP_URL, or the log (used by the worker's send_email task). */
  mailer: Mailer;
  /** Web Push signing keys (VAPID_* or the database's pair); the public key is given to browsers. */
  vapid: VapidDetails;
  /** Usage debits, coalesced per hot account unless DEBIT_COALESCING=0. */
  debits: DebitCoalescer;
}

/** Who is calling: a portal user (session cookie) or a platform (API key). */
export type Principal =
  | { kind: "session"; userId: string; accountId: string; role: "owner" | "admin" | "viewer"; sessionId: string }
  | { kind: "api_key"; apiKeyId: string; accountId: string; scopes: string[]; spendLimited: boolean };

/** Hono context variables set by middleware. */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    log: Logger;
    principal: Principal;
    /** The operator session of an operator route, null for the OPERATOR_API_KEY (set by requireOperator). */
    operator: OperatorSession | null;
    /** The account the principal acts on (set with `principal`). */
    accountId: string;
    /** The request's Idempotency-Key header, when sent (set by idempotent()). */
    idempotencyKey: string | null;
    /** Stores the response under that key in the caller's transaction (set by idempotent()). */
    idempotency: IdempotencyCompletion | null;
  };
}
