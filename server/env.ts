import { z } from "zod";

/**
 * Configuration from the environment. Every variable is optional: with none set the
 * service runs on the embedded default (embedded PostgreSQL, in-process events and
 * rate limits, simulated payments). README.md has the same table.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Public base URL, used for checkout return links. Default http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** PostgreSQL URL; unset = embedded PostgreSQL under ./.data/. */
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  /** Redis URL for cross-instance events; unset = in-process bus. */
  REDIS_URL: z.string().optional(),
  /** Stripe secret key; unset = simulated payment provider. */
  STRIPE_SECRET_KEY: z.string().optional(),
  /**
   * Stripe publishable key (`pk_test_...` / `pk_live_...`) for Stripe.js on our confirm page
   * (/pay/confirm/:topupId), where a customer authenticates an off-session charge (3-D Secure).
   */
  STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(test|live)_\w+$/, "must be a Stripe publishable key (pk_test_... or pk_live_...)").optional(),
  /** Stripe API base (e.g. http://localhost:12111 for stripe-mock). */
  STRIPE_API_BASE: z.string().url().optional(),
  /** Webhook signing secret (Stripe's `whsec_...`); the simulated provider signs with it too. */
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /** Where embedded PostgreSQL keeps its data. */
  DATA_DIR: z.string().default(".data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Create the demo user and history on start (default: on with embedded PostgreSQL). */
  DEMO: z.enum(["0", "1"]).optional(),
  /** Send demo usage every few seconds, so the live view visibly moves. */
  DEMO_USAGE: z.enum(["0", "1"]).default("0"),
  /**
   * Bearer token of platform staff for the /operator routes (suspend, reactivate). Unset =
   * those routes answer 401 to everyone. Use at least 32 random characters.
   */
  OPERATOR_API_KEY: z.string().min(32).optional(),
  /** Largest adjustment (credit or debit, minor units) an operator of role `support` may post; admins have no limit. */
  OPERATOR_SUPPORT_ADJUSTMENT_LIMIT: z.coerce.number().int().min(0).max(10_000_000_000).default(5_000),
  /** Session lifetime, hours. */
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 14),
  /** Coalesce concurrent debits on one account into one transaction (server/ledger/coalesce-debits.ts); 0 = one transaction per debit. */
  DEBIT_COALESCING: z.enum(["0", "1"]).default("1"),
  /** Group commit across accounts (server/ledger/group-commit.ts): longest a debit waits for others, ms; 0 = off. */
  GROUP_COMMIT_WAIT_MS: z.coerce.number().int().min(0).max(100).default(1),
  /** The lean path of POST /api/v1/usage (server/routes/usage/fast-path.ts); 0 = every request through the Hono app. */
  USAGE_FAST_PATH: z.enum(["0", "1"]).default("1"),
  /** How long a valid API key is cached per instance, ms (server/auth/api-key-cache.ts): bounds a revocation whose broadcast was lost. 0 = no cache. */
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(300_000),
  /** How often each process stamps last_used_at of the API keys it saw, ms (server/auth/api-key-last-used.ts). */
  API_KEY_LAST_USED_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  /**
   * API processes sharing the port (node:cluster, server/cluster.ts); > 1 needs REDIS_URL
   * (live events and rate limits shared between them). The graphile-worker runs once.
   */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * 1 lets customers' webhook endpoints reach localhost and private networks; 0 refuses
   * them (SSRF). Default: 1 when PUBLIC_URL is on localhost (development), else 0.
   * The operator's endpoints may always.
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(["0", "1"]).optional(),
  /**
   * The non-payment rule: an account whose balance has been below zero (on its overdraft)
   * for this many hours is suspended until a top-up restores it. 0 = never.
   */
  NON_PAYMENT_GRACE_HOURS: z.coerce.number().int().min(0).max(24 * 365).default(72),
  /** 1 behind a proxy that appends the client to X-Forwarded-For (nginx.conf): per-IP limits use it. */
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /**
   * SMTP server for notification emails (server/notifications/mailer.ts), e.g.
   * `smtp://user:pass@smtp.example.com:587`; unset = emails are written to the log.
   */
  SMTP_URL: z.string().url().optional(),
  /** The From of notification emails. */
  EMAIL_FROM: z.string().min(3).default("Live balance <no-reply@localhost>"),
  /**
   * VAPID key pair for Web Push (RFC 8292; `npx web-push generate-vapid-keys`), base64url.
   * Unset = a pair made at first start and kept in the database (table vapid_keys).
   */
  VAPID_PUBLIC_KEY: z.string().min(40).optional(),
  VAPID_PRIVATE_KEY: z.string().min(20).optional(),
  /** Contact push services may use (`mailto:` or an https URL). Default: mailto: the address of EMAIL_FROM. */
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://").optional(),
  /**
   * The issuer of receipts, credit notes and statements (server/documents/issuer-config.ts).
   * Unset ISSUER_NAME = a clearly fake demo issuer (refused with STRIPE_SECRET_KEY set).
   * ISSUER_KEY names the number series (keep it when the name changes).
   */
  ISSUER_KEY: z.string().regex(/^[a-z0-9_-]{1,32}$/, "1-32 of a-z 0-9 _ -").default("platform"),
  ISSUER_NAME: z.string().min(1).max(200).optional(),
  /** Postal address lines separated by `|`, e.g. `Hauptstr. 1|10115 Berlin|Deutschland`. */
  ISSUER_ADDRESS: z.string().min(1).max(500).optional(),
  ISSUER_VAT_ID: z.string().min(4).max(20).optional(),
  ISSUER_TAX_NUMBER: z.string().min(4).max(30).optional(),
  /** Tax rate in basis points (1900 = 19 %); 0 = documents carry no tax lines. */
  ISSUER_TAX_RATE_BP: z.coerce.number().int().min(0).max(10_000).default(0),
  ISSUER_FOOTER: z.string().max(500).optional(),
  /** Sign-ups allowed per client IP per hour (server/rate-limits.ts). */
  SIGNUP_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(20),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses process.env. @throws Error listing every invalid variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
