import { Hono } from "hono";
import type { AppEnv } from "../../context";

/**
 * Liveness (/healthz: the process answers) and readiness (/readyz: database reachable).
 * /readyz also reports the rate limiters' Redis when REDIS_URL is set; without it the
 * instance still serves (limits fall back to its memory), so the answer is 200 with
 * `status: "degraded"` and `redis: "unreachable"`, not 503.
 */
export const healthRoutes = new Hono<AppEnv>()
  .get("/healthz", (c) => c.json({ status: "ok" }))
  .get("/readyz", async (c) => {
    const { database, rateLimits } = c.get("deps");
    const [databaseOk, redisOk] = await Promise.all([
      database.sql`SELECT 1`.then(
        () => true,
        (err: unknown) => {
          c.get("log").warn({ err }, "readiness check failed");
          return false;
        },
      ),
      rateLimits.redisReachable(),
    ]);
    const redis = redisOk === null ? {} : { redis: redisOk ? "ok" : "unreachable" };
    if (!databaseOk) return c.json({ status: "unavailable", database: "unreachable", ...redis }, 503);
    return c.json({ status: redisOk === false ? "degraded" : "ready", database: "ok", ...redis });
  });
