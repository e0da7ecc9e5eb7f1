import { createRoute, z } from "@hono/zod-openapi";
import { requireSession, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonBody, jsonResponse } from "../schemas";
import { loadMe, MeSchema } from "./load-me";

const me = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The logged-in user and their account",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(MeSchema, "The current user"), ...errorResponses },
});

const setLocale = createRoute({
  method: "put",
  path: "/me/locale",
  tags: ["auth"],
  summary: "The language of this user's emails and push messages (the portal sends its own when it changes)",
  middleware: [requireSession()] as const,
  request: jsonBody(z.object({ locale: z.enum(["en", "de"]) }).strict()),
  responses: { 200: jsonResponse(MeSchema, "The current user"), ...errorResponses },
});

export const meRoutes = createRouter()
  .openapi(me, async (c) => {
    const { userId, accountId } = sessionOf(c);
    return c.json(await loadMe(c.get("deps").database.sql, userId, accountId), 200);
  })
  .openapi(setLocale, async (c) => {
    const { userId, accountId } = sessionOf(c);
    const { sql } = c.get("deps").database;
    await sql`UPDATE users SET locale = ${c.req.valid("json").locale} WHERE id = ${userId}`;
    return c.json(await loadMe(sql, userId, accountId), 200);
  });
