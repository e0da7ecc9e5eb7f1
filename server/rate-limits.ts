import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { createClient } from "redis";
import { createLoginThrottle, LOGIN_THROTTLE_RULES, type LoginThrottle } from "./auth/login-throttle";
import { RateLimitedError } from "./errors";
import { closeRedis } from "./events/close-redis";
import type { Logger } from "./logger";

/**
 * The service's rate limiters (rate-limiter-flexible). With REDIS_URL they count in Redis,
 * shared by every API instance; without it (the embedded default) they count in this process.
 * - logins: failed log-ins per email and client IP with growing delays, and per IP
 *   (server/auth/login-throttle.ts);
 * - signups: SIGNUP_RATE_LIMIT_PER_HOUR sign-ups per client IP per hour (default 20);
 * - passwordResets: reset emails asked for, per email (PASSWORD_RESET_RULES) and per client IP,
 *   counted the same for unknown emails, so the limit reveals nothing about who has an account;
 * - verificationEmails: verification links (re)sent per user (VERIFICATION_EMAIL_RULE).
 *
 * Redis trouble never holds a request up: a command gets REDIS_COMMAND_TIMEOUT_MS, commands
 * are refused at once while the client is reconnecting (no offline queue), and each limiter
 * then decides with its in-memory insurance limiter, per instance, until Redis is back.
 */
export interface RateLimits {
  logins: LoginThrottle;
  signups: RateLimiterAbstract;
  passwordResets: { perEmail: RateLimiterAbstract; perIp: RateLimiterAbstract };
  verificationEmails: RateLimiterAbstract;
  /** null without REDIS_URL; otherwise whether Redis answers a PING within the command timeout. */
  redisReachable(): Promise<boolean | null>;
  close(): Promise<void>;
}

/**
 * How long (ms) one Redis command of a limiter may take before the in-memory insurance
 * limiter decides instead. Redis answers in well under 1 ms on a healthy network.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** Connecting (and each reconnect attempt) gives up after this long (ms). */
const REDIS_CONNECT_TIMEOUT_MS = 2_000;
/**
 * A connection that has received nothing for this long (ms) while PINGed every
 * REDIS_PING_INTERVAL_MS is dropped and re-established, so a Redis that accepts but never
 * answers turns the client "not ready" and the limiters skip it without waiting.
 */
const REDIS_SOCKET_TIMEOUT_MS = 3_000;
const REDIS_PING_INTERVAL_MS = 1_000;
/** Longest pause (ms) between reconnect attempts (node-redis' default strategy caps at 2 s too). */
const REDIS_RECONNECT_MAX_DELAY_MS = 2_000;

type Rule = IRateLimiterOptions & { keyPrefix: string; points: number; duration: number };

/**
 * Password reset emails: 5 per email and 30 per client IP per hour. Enough for someone
 * whose mail is slow to ask again a few times; too few to flood a mailbox or to make us a
 * spam relay (OWASP Forgot Password Cheat Sheet: "rate limiting ... to prevent flooding").
 */
export const PASSWORD_RESET_RULES = {
  perEmail: { keyPrefix: "lb:rl:reset-email", points: 5, duration: 60 * 60 },
  perIp: { keyPrefix: "lb:rl:reset-ip", points: 30, duration: 60 * 60 },
} satisfies Record<string, Rule>;
/** Verification links per user: 5 per hour (sign-up's, resends and changes of email together). */
export const VERIFICATION_EMAIL_RULE = { keyPrefix: "lb:rl:verify-email", points: 5, duration: 60 * 60 } satisfies Rule;

/**
 * Takes one point of `limiter` for `key`.
 * @throws RateLimitedError (429 with Retry-After) when `key` has none left; `what` starts its message
 */
export async function consumeLimit(limiter: RateLimiterAbstract, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res;
    throw new RateLimitedError(res.msBeforeNext, what);
  }
}

/** @throws when REDIS_URL is set and Redis cannot be reached at start-up */
export async function createRateLimits(
  options: { redisUrl?: string; signupsPerHour: number },
  logger: Logger,
): Promise<RateLimits> {
  const signups: Rule = { keyPrefix: "lb:rl:signup", points: options.signupsPerHour, duration: 60 * 60 };
  if (!options.redisUrl) {
    const inMemory = (rule: Rule) => new RateLimiterMemory(rule);
    return {
      logins: createLoginThrottle(LOGIN_THROTTLE_RULES, inMemory),
      signups: inMemory(signups),
      passwordResets: { perEmail: inMemory(PASSWORD_RESET_RULES.perEmail), perIp: inMemory(PASSWORD_RESET_RULES.perIp) },
      verificationEmails: inMemory(VERIFICATION_EMAIL_RULE),
      redisReachable: async () => null,
      close: async () => {},
    };
  }
  const client = createClient({
    url: options.redisUrl,
    disableOfflineQueue: true,
    pingInterval: REDIS_PING_INTERVAL_MS,
    commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, REDIS_RECONNECT_MAX_DELAY_MS),
    },
  });
  client.on("error", (err) => logger.error({ err }, "redis rate-limit client error"));
  await client.connect();
  const inRedis = (rule: Rule) =>
    new RateLimiterRedis({
      ...rule,
      storeClient: client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(rule),
    });
  return {
    logins: createLoginThrottle(LOGIN_THROTTLE_RULES, inRedis),
    signups: inRedis(signups),
    passwordResets: { perEmail: inRedis(PASSWORD_RESET_RULES.perEmail), perIp: inRedis(PASSWORD_RESET_RULES.perIp) },
    verificationEmails: inRedis(VERIFICATION_EMAIL_RULE),
    redisReachable: () =>
      client.isReady
        ? client.ping().then(
            () => true,
            () => false,
          )
        : Promise.resolve(false),
    close: () => closeRedis(client),
  };
}
