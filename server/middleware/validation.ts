import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { errorResponse } from "./errors";

/**
 * zod-openapi's defaultHook: a failed validation becomes 400 validation_error with
 * one `field: message` item per issue, so the caller sees every problem at once.
 */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return errorResponse(c, "validation_error", `Invalid request: ${summary}`, { issues });
};
