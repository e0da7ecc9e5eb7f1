import { createRoute, z } from "@hono/zod-openapi";
import Bowser from "bowser";
import { endUserSessions, listSessions, type SessionRow } from "../../../db/auth/sessions";
import { notFound } from "../../middleware/errors";
import { requireSession, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, Id, jsonResponse } from "../schemas";

const SessionSchema = z
  .object({
    id: z.string().openapi({ description: "`ses_...`; DELETE /me/sessions/{id} ends it" }),
    browser: z
      .string()
      .nullable()
      .openapi({ description: 'e.g. "Chrome 131", from the User-Agent (bowser); null when unknown' }),
    os: z.string().nullable().openapi({ description: 'e.g. "macOS", "Android"; null when unknown' }),
    device: z.enum(["desktop", "mobile", "tablet", "tv", "bot"]).nullable(),
    ip: z.string().nullable().openapi({ description: "Client IP when the session started" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    lastSeenAt: z.string().openapi({ format: "date-time", description: "Last request, to the minute" }),
    current: z.boolean().openapi({ description: "The session making this request" }),
  })
  .openapi("UserSession");

/** The sessions list's shape of a row: device and browser read from the User-Agent by bowser. */
function toDto(row: SessionRow): z.infer<typeof SessionSchema> {
  const ua = row.userAgent ? Bowser.parse(row.userAgent) : null;
  const name = (part?: { name?: string; version?: string }, withVersion = false) =>
    part?.name ? (withVersion && part.version ? `${part.name} ${part.version.split(".")[0]}` : part.name) : null;
  const device = ua?.platform.type;
  return {
    id: row.publicId,
    browser: name(ua?.browser, true),
    os: name(ua?.os),
    device:
      device === "desktop" || device === "mobile" || device === "tablet" || device === "tv" || device === "bot"
        ? device
        : null,
    ip: row.ip,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    current: row.current,
  };
}

export const sessionsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/me/sessions",
      operationId: "listSessions",
      tags: ["auth"],
      summary: "The logged-in user's sessions (every device and browser), most recently seen first",
      middleware: [requireSession()] as const,
      responses: { 200: jsonResponse(z.object({ data: z.array(SessionSchema) }).openapi("SessionList"), "Sessions") },
    }),
    async (c) => {
      const { userId, sessionId } = sessionOf(c);
      const rows = await listSessions(c.get("deps").database.sql, userId, sessionId);
      return c.json({ data: rows.map(toDto) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/me/sessions/{id}",
      operationId: "endSession",
      tags: ["auth"],
      summary: "End one of the user's sessions (that browser is logged out at its next request); the current one too",
      middleware: [requireSession()] as const,
      request: { params: z.object({ id: Id }) },
      responses: { 204: { description: "Ended" }, ...errorResponses },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const ended = await endUserSessions(c.get("deps").database.sql, {
        userId,
        publicId: c.req.valid("param").id,
        requestId: c.get("requestId"),
      });
      if (ended === 0) throw notFound("Session");
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/me/sessions/end-others",
      operationId: "endOtherSessions",
      tags: ["auth"],
      summary: "End every session of the user but this one",
      middleware: [requireSession()] as const,
      responses: {
        200: jsonResponse(z.object({ ended: z.number().int() }).openapi("SessionsEnded"), "How many ended"),
      },
    }),
    async (c) => {
      const { userId, sessionId } = sessionOf(c);
      const ended = await endUserSessions(c.get("deps").database.sql, {
        userId,
        allBut: sessionId,
        requestId: c.get("requestId"),
      });
      return c.json({ ended }, 200);
    },
  );
