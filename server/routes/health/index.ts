import { Hono } from "hono";
import type { AppEnv } from "../../context";

/** Liveness (/healthz: the process answers) and readiness (/readyz: database reachable). */
export const healthRoutes = new Hono<AppEnv>()
  .get("/healthz", (c) => c.json({ status: "ok" }))
  .get("/readyz", async (c) => {
    const { database } = c.get("deps");
    try {
      await database.sql`SELECT 1`;
      return c.json({ status: "ready", database: "ok" });
    } catch (err) {
      c.get("log").warn({ err }, "readiness check failed");
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });
