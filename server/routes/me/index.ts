import { createRoute } from "@hono/zod-openapi";
import { requireSession } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonResponse } from "../schemas";
import { loadMe, MeSchema } from "./load-me";

const me = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The logged-in user and their account",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(MeSchema, "The current user"), ...errorResponses },
});

export const meRoutes = createRouter().openapi(me, async (c) => {
  const principal = c.get("principal");
  if (principal.kind !== "session") throw new Error("requireSession guarantees a session principal");
  return c.json(await loadMe(c.get("deps").database.sql, principal.userId, principal.accountId), 200);
});
