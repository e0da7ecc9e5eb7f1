import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { documented } from "../openapi/route-docs";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Operator (platform staff) routes: `Authorization: Bearer <OPERATOR_API_KEY>`, compared in
 * constant time over SHA-256 digests. Without OPERATOR_API_KEY configured nobody is an operator.
 * @throws ApiError unauthenticated (401)
 */
export function requireOperator() {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const expected = c.get("deps").env.OPERATOR_API_KEY;
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!expected || !token || !timingSafeEqual(digest(token), digest(expected))) {
      throw new ApiError("unauthenticated", "Operator routes need Authorization: Bearer <OPERATOR_API_KEY>.");
    }
    await next();
  });
  return documented(middleware, { security: [{ operatorKey: [] }], errors: ["unauthenticated"] });
}
