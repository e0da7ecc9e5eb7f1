import type { Hook } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../context";
import { fieldIssuesOf, summarize } from "../errors";
import { errorResponse } from "./errors";

/**
 * zod-openapi's defaultHook: a failed validation becomes 400 validation_error with
 * one FieldIssue per problem in `details`, so the caller sees every problem at once.
 */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const issues = fieldIssuesOf(result.error as ZodError);
  return errorResponse(c, "validation_error", summarize(issues), issues);
};
