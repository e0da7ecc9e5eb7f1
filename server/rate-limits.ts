import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { createClient } from "redis";
import type { Logger } from "./logger";

/**
 * The service's rate limiters (rate-limiter-flexible). With REDIS_URL they count in Redis,
 * shared by every API instance, with an in-memory limiter as insurance while Redis is
 * unreachable; without it (the embedded default) they count in this process.
 * - failedLogins: 10 failed log-ins per email per 15 minutes, then 429 (OWASP
 *   authentication cheat sheet: throttle per account against brute force);
 * - signups: SIGNUP_RATE_LIMIT_PER_HOUR sign-ups per client IP per hour (default 20).
 */
export interface RateLimits {
  failedLogins: RateLimiterAbstract;
  signups: RateLimiterAbstract;
  close(): Promise<void>;
}

/** Failed log-ins allowed per email in FAILED_LOGIN_WINDOW_S. */
export const FAILED_LOGINS_ALLOWED = 10;
const FAILED_LOGIN_WINDOW_S = 15 * 60;

/** @throws when REDIS_URL is set and Redis cannot be reached at start-up */
export async function createRateLimits(
  options: { redisUrl?: string; signupsPerHour: number },
  logger: Logger,
): Promise<RateLimits> {
  const rules = {
    failedLogins: { keyPrefix: "lb:rl:failed-login", points: FAILED_LOGINS_ALLOWED, duration: FAILED_LOGIN_WINDOW_S },
    signups: { keyPrefix: "lb:rl:signup", points: options.signupsPerHour, duration: 60 * 60 },
  };
  if (!options.redisUrl) {
    return {
      failedLogins: new RateLimiterMemory(rules.failedLogins),
      signups: new RateLimiterMemory(rules.signups),
      close: async () => {},
    };
  }
  const client = createClient({ url: options.redisUrl });
  client.on("error", (err) => logger.error({ err }, "redis rate-limit client error"));
  await client.connect();
  const inRedis = (rule: (typeof rules)["signups"]) =>
    new RateLimiterRedis({
      ...rule,
      storeClient: client,
      useRedisPackage: true,
      insuranceLimiter: new RateLimiterMemory(rule),
    });
  return {
    failedLogins: inRedis(rules.failedLogins),
    signups: inRedis(rules.signups),
    close: async () => {
      await client.quit();
    },
  };
}
