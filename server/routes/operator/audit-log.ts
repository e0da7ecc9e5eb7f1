import { createRoute, z } from "@hono/zod-openapi";
import { listAudit } from "../../../db/audit/list-audit";
import { FieldError } from "../../../db/ledger/errors";
import { requireOperator } from "../../middleware/operator";
import { createRouter } from "../router";
import { errorResponses, jsonResponse } from "../schemas";
import { CursorParam, encodeCursor } from "./cursor";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ format: "date-time" }),
    actor: z.string().openapi({ description: "`api_key` (OPERATOR_API_KEY), `operator:<id>` or `user:<id>`." }),
    action: z.string().openapi({ example: "account.adjusted" }),
    targetId: z.string().openapi({ description: "The changed object: an account id, a meter key, a webhook endpoint id." }),
    before: z.unknown().openapi({ description: "The object's shape before the change; null when created." }),
    after: z.unknown().openapi({ description: "Its shape after the change; null when deleted." }),
    requestId: z.string().nullable(),
    ip: z.string().nullable().openapi({ description: "The client IP of the request." }),
  })
  .openapi("AuditEntry");

const Query = z.object({
  targetId: z.string().min(1).max(64).optional(),
  actor: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: CursorParam.optional(),
});

const list = createRoute({
  method: "get",
  path: "/operator/audit-log",
  operationId: "listAuditLog",
  tags: ["operator"],
  summary: "The audit log, newest first, cursor-paginated: every operator change with who, when, before/after, request id and IP",
  middleware: [requireOperator()] as const,
  request: { query: Query },
  responses: {
    200: jsonResponse(z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }), "Audit rows"),
    ...errorResponses,
  },
});

/** GET /operator/audit-log (db/audit/list-audit.ts). */
export const auditLogRoutes = createRouter().openapi(list, async (c) => {
  const { cursor, ...q } = c.req.valid("query");
  // the cursor's time is PostgreSQL's text of a timestamptz ("2026-12-03 03:40:01.123456+00")
  if (cursor && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/.test(String(cursor[0]))) {
    throw new FieldError({ field: "cursor", code: "custom", message: "invalid cursor" });
  }
  const { data, next } = await listAudit(c.get("deps").database.sql, {
    ...q,
    after: cursor ? { at: String(cursor[0]), id: cursor[1] } : undefined,
  });
  return c.json({ data, nextCursor: next ? encodeCursor([next.at, next.id]) : null }, 200);
});
