import { createRoute, z } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import { switchAccount } from "../../../db/members/members";
import { SESSION_COOKIE } from "../../auth/tokens";
import { ApiError } from "../../errors";
import { authenticateSession, requireSessionBeforeTwoFactor, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, Id, jsonBody, jsonResponse } from "../schemas";
import { loadMe, MeSchema } from "./load-me";

const me = createRoute({
  method: "get",
  path: "/me",
  operationId: "getMe",
  tags: ["auth"],
  summary: "The logged-in user and their account",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  responses: { 200: jsonResponse(MeSchema, "The current user") },
});

const setLocale = createRoute({
  method: "put",
  path: "/me/locale",
  operationId: "setLocale",
  tags: ["auth"],
  summary: "The language of this user's emails and push messages (the portal sends its own when it changes)",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  request: jsonBody(z.object({ locale: z.enum(["en", "de"]) }).strict()),
  responses: { 200: jsonResponse(MeSchema, "The current user") },
});

const selectAccount = createRoute({
  method: "put",
  path: "/me/account",
  operationId: "switchAccount",
  tags: ["auth"],
  summary: "Switch the session to another account of the user (one of GET /me's `accounts`)",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  request: jsonBody(z.object({ accountId: Id }).strict().openapi("SwitchAccountRequest")),
  responses: { 200: jsonResponse(MeSchema, "The current user, acting on that account"), ...errorResponses },
});

const session = createRoute({
  method: "get",
  path: "/session",
  operationId: "getSession",
  tags: ["auth"],
  summary: "The logged-in user and their account, or null when signed out (200 either way)",
  description:
    "For pages that work signed in or out (log-in, sign-up): unlike GET /me, no session is not an error, " +
    "so a browser logs no failed request.",
  security: [{}, { session: [] }],
  responses: {
    200: jsonResponse(z.object({ session: MeSchema.nullable() }).openapi("SessionState"), "The session, or null"),
  },
});

export const meRoutes = createRouter()
  .openapi(session, async (c) => {
    const { sql } = c.get("deps").database;
    try {
      const { userId, accountId } = await authenticateSession(sql, getCookie(c, SESSION_COOKIE), undefined, { beforeTwoFactor: true });
      return c.json({ session: await loadMe(sql, userId, accountId) }, 200);
    } catch (err) {
      if (err instanceof ApiError && err.code === "unauthenticated") return c.json({ session: null }, 200);
      throw err;
    }
  })
  .openapi(me, async (c) => {
    const { userId, accountId } = sessionOf(c);
    return c.json(await loadMe(c.get("deps").database.sql, userId, accountId), 200);
  })
  .openapi(selectAccount, async (c) => {
    const { userId, sessionId } = sessionOf(c);
    const { accountId } = c.req.valid("json");
    const { sql } = c.get("deps").database;
    await switchAccount(sql, sessionId, userId, accountId);
    return c.json(await loadMe(sql, userId, accountId), 200);
  })
  .openapi(setLocale, async (c) => {
    const { userId, accountId } = sessionOf(c);
    const { sql } = c.get("deps").database;
    await sql`UPDATE users SET locale = ${c.req.valid("json").locale} WHERE id = ${userId}`;
    return c.json(await loadMe(sql, userId, accountId), 200);
  });
