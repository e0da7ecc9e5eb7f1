import type { IRateLimiterOptions, RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors";

/**
 * Log-in throttling against password guessing that cannot be turned into a lock-out of the
 * owner (OWASP Authentication Cheat Sheet, "Login Throttling"; the "login endpoint
 * protection" pattern of rate-limiter-flexible's wiki):
 * - per email AND client IP: LOGIN_FREE_FAILURES consecutive failures cost nothing; from
 *   then on each failure makes that pair wait 1 s, 2 s, 4 s ... up to 15 minutes before the
 *   next attempt (NIST SP 800-63B 5.2.2 allows such growing delays). A success forgets the
 *   pair's failures. Failures from other addresses never block the owner's address;
 * - per client IP: LOGIN_FAILURES_PER_IP_PER_DAY failures over any emails, then that IP
 *   waits until its day is over (slows one address trying many accounts).
 * Unknown emails count like known ones, so the answers reveal nothing about who has an account.
 */
export interface LoginThrottle {
  /** @throws RateLimitedError (429 with Retry-After) when this email and IP must wait */
  check(email: string, ip: string): Promise<void>;
  /** Counts a wrong password (or unknown email) for the pair and the IP. */
  failed(email: string, ip: string): Promise<void>;
  /** Forgets the pair's failures after a successful log-in. */
  succeeded(email: string, ip: string): Promise<void>;
  /**
   * Forgets the email's failures from every IP (for a completed password reset: whoever
   * proved they own the mailbox starts clean everywhere). The per-IP counts stay.
   */
  clear(email: string): Promise<void>;
}

/** Consecutive failures per email and IP before delays start. */
export const LOGIN_FREE_FAILURES = 5;
/** Failed log-ins one IP may make per day over all emails (rate-limiter-flexible wiki's example value). */
export const LOGIN_FAILURES_PER_IP_PER_DAY = 100;
/** The first delay (s), after LOGIN_FREE_FAILURES failures; each further failure doubles it. */
const LOGIN_FIRST_DELAY_S = 30;
/** The longest delay between attempts of one email and IP (s): the lock-out time the throttle replaced. */
export const LOGIN_MAX_DELAY_S = 15 * 60;
const DAY_S = 24 * 60 * 60;

type Rule = IRateLimiterOptions & { keyPrefix: string; points: number; duration: number };

/** The limiters the throttle is made of (the keys are the same in memory and in Redis). */
export const LOGIN_THROTTLE_RULES = {
  /** consecutive failures per pair, forgotten a day after the first */
  failures: { keyPrefix: "lb:rl:login-fail", points: LOGIN_FREE_FAILURES, duration: DAY_S },
  /** a pair's current delay: blocked keys only */
  delays: { keyPrefix: "lb:rl:login-delay", points: 1, duration: 1 },
  /** failures per IP per day */
  perIp: { keyPrefix: "lb:rl:login-fail-ip", points: LOGIN_FAILURES_PER_IP_PER_DAY, duration: DAY_S },
  /** per email: how many times clear() ran; part of the pair keys, never expires */
  generations: { keyPrefix: "lb:rl:login-gen", points: 1, duration: 0 },
} satisfies Record<string, Rule>;

/** Delay (s) after the n-th consecutive failure of a pair: 0 below LOGIN_FREE_FAILURES, then 30, 60, 120 ... capped at 900. */
export function loginDelayS(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0;
  return Math.min(LOGIN_FIRST_DELAY_S * 2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_DELAY_S);
}

/** Builds the throttle on limiters made by `make` (in memory or in Redis, see server/rate-limits.ts). */
export function createLoginThrottle(
  rules: typeof LOGIN_THROTTLE_RULES,
  make: (rule: Rule) => RateLimiterAbstract,
): LoginThrottle {
  const failures = make(rules.failures);
  const delays = make(rules.delays);
  const perIp = make(rules.perIp);
  const generations = make(rules.generations);

  const pairKey = async (email: string, ip: string) => {
    const generation = (await generations.get(email))?.consumedPoints ?? 0;
    return JSON.stringify([email, ip, generation]);
  };
  const blocked = (res: RateLimiterRes | null, points: number) => res !== null && res.consumedPoints > points;

  return {
    async check(email, ip) {
      const pair = await pairKey(email, ip);
      const [delay, ipFailures] = await Promise.all([delays.get(pair), perIp.get(ip)]);
      if (blocked(delay, rules.delays.points)) {
        throw new RateLimitedError(delay!.msBeforeNext, "Too many failed log-in attempts for this email.");
      }
      if (ipFailures && ipFailures.consumedPoints >= rules.perIp.points) {
        throw new RateLimitedError(ipFailures.msBeforeNext, "Too many failed log-in attempts from your network.");
      }
    },
    async failed(email, ip) {
      const pair = await pairKey(email, ip);
      const [count] = await Promise.all([failures.penalty(pair), perIp.penalty(ip)]);
      const delayS = loginDelayS(count.consumedPoints);
      if (delayS > 0) await delays.block(pair, delayS);
    },
    async succeeded(email, ip) {
      const pair = await pairKey(email, ip);
      await Promise.all([failures.delete(pair), delays.delete(pair)]);
    },
    async clear(email) {
      await generations.penalty(email);
    },
  };
}
