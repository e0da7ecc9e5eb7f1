import { createRoute, z } from "@hono/zod-openapi";
import { createOperatorUser, listOperatorUsers, operatorSetPasswordUrl, updateOperatorUser } from "../../../db/operators/operator-users";
import { ApiError } from "../../errors";
import { operatorAuditBy, operatorSessionOf, requireOperator } from "../../middleware/operator";
import { errors } from "../../openapi/route-docs";
import { createRouter } from "../router";
import { errorResponses, Id, jsonBody, jsonResponse } from "../schemas";

const OperatorUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(["admin", "support"]),
    disabled: z.boolean(),
    passwordSet: z.boolean(),
    twoFactorEnabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .openapi("OperatorUser");

const CreateBody = z
  .object({ email: z.email().max(254).transform((s) => s.toLowerCase()), role: z.enum(["admin", "support"]) })
  .strict()
  .openapi("CreateOperatorUserRequest");

const PatchBody = z
  .object({ role: z.enum(["admin", "support"]).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined, { message: "Send role, disabled or both." })
  .openapi("UpdateOperatorUserRequest");

const list = createRoute({
  method: "get",
  path: "/operator/users",
  operationId: "listOperatorUsers",
  tags: ["operator"],
  summary: "Operator users (admins only)",
  middleware: [requireOperator({ adminOnly: true })] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(OperatorUserSchema) }).openapi("OperatorUserList"), "Operator users") },
});

const create = createRoute({
  method: "post",
  path: "/operator/users",
  operationId: "createOperatorUser",
  tags: ["operator"],
  summary: "Create an operator user; returns a one-time set-password link (24 h). Audited",
  middleware: [requireOperator({ adminOnly: true })] as const,
  request: jsonBody(CreateBody),
  responses: {
    201: jsonResponse(
      z.object({ user: OperatorUserSchema, setPasswordUrl: z.string().openapi({ description: "Give it to the new colleague; works once, for 24 hours." }) }).openapi("CreatedOperatorUser"),
      "Created",
    ),
    ...errors("operator_exists"),
  },
});

const update = createRoute({
  method: "patch",
  path: "/operator/users/{id}",
  operationId: "updateOperatorUser",
  tags: ["operator"],
  summary: "Change an operator user's role, or disable (ends their sessions) / re-enable them. Audited; not on yourself",
  middleware: [requireOperator({ adminOnly: true })] as const,
  request: { params: z.object({ id: Id }), ...jsonBody(PatchBody) },
  responses: { 200: jsonResponse(OperatorUserSchema, "Updated"), ...errorResponses },
});

/** Admins manage operator users (issue 11 point 1); every change audited in its transaction. */
export const operatorUserRoutes = createRouter()
  .openapi(list, async (c) => c.json({ data: await listOperatorUsers(c.get("deps").database.sql) }, 200))
  .openapi(create, async (c) => {
    const created = await createOperatorUser(c.get("deps").database.sql, c.req.valid("json"), operatorAuditBy(c));
    if (!created) throw new ApiError("operator_exists", "An operator user with this email exists.");
    return c.json({ user: created.user, setPasswordUrl: operatorSetPasswordUrl(c.get("deps").publicUrl, created.token) }, 201);
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    if (operatorSessionOf(c)?.operatorUserId === id) {
      throw new ApiError("forbidden", "You cannot change your own role or disable yourself; ask another admin.");
    }
    const user = await updateOperatorUser(c.get("deps").database.sql, id, c.req.valid("json"), operatorAuditBy(c));
    if (!user) throw new ApiError("not_found", "No operator user with this id.");
    return c.json(user, 200);
  });
