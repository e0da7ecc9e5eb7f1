import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { validationHook } from "../middleware/validation";
import { withMiddlewareDocs } from "../openapi/route-docs";

/**
 * A router whose validation failures answer with our error shape, and whose `openapi()`
 * routes are documented from their middleware too (security, error statuses, headers:
 * server/openapi/route-docs.ts), so a route states only what is its own.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  router.openapi = ((route, handler, hook) => register(withMiddlewareDocs(route), handler, hook)) as typeof register;
  return router;
}
