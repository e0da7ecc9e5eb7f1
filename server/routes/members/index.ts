import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { newId } from "../../../db/ids";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from "../../../db/members/invitations";
import { changeMemberRole, listMembers, removeMember, type Actor } from "../../../db/members/members";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password-policy";
import { assertSameOrigin } from "../../auth/same-origin";
import { startSession } from "../../auth/sessions";
import { SESSION_COOKIE } from "../../auth/tokens";
import type { AppEnv } from "../../context";
import { ApiError } from "../../errors";
import { authenticateSession, requireSession, sessionOf } from "../../middleware/auth";
import { errors } from "../../openapi/route-docs";
import { limitSignups } from "../auth/index";
import { hashPassword } from "../../auth/passwords";
import { loadMe, MeSchema } from "../me/load-me";
import { createRouter } from "../router";
import { errorResponses, Id, jsonBody, jsonResponse } from "../schemas";

const Role = z.enum(["owner", "admin", "viewer"]);

const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: Role,
    joinedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Member");

const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: Role,
    invitedBy: z.string().nullable().openapi({ description: "The inviter's name (null once their user is deleted)." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    expiresAt: z.string().openapi({ format: "date-time", description: "7 days after createdAt." }),
  })
  .openapi("Invitation");

const MembersSchema = z
  .object({
    members: z.array(MemberSchema),
    invitations: z.array(InvitationSchema).openapi({ description: "Pending only." }),
  })
  .openapi("Members");

const InvitationPreviewSchema = z
  .object({
    email: z.string(),
    role: Role,
    accountName: z.string(),
    inviterName: z.string().nullable(),
    expiresAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("InvitationPreview");

const InviteBody = z
  .object({
    email: z
      .email()
      .max(254)
      .transform((s) => s.toLowerCase()),
    role: Role.openapi({ description: "Admins may invite admins and viewers; only owners invite owners." }),
  })
  .strict()
  .openapi("InviteMemberRequest");

const AcceptBody = z
  .object({
    signup: z
      .object({
        email: z
          .email()
          .max(254)
          .transform((s) => s.toLowerCase())
          .openapi({ description: "Must be the invited address." }),
        name: z.string().trim().min(1).max(100),
        password: z
          .string()
          .max(PASSWORD_MAX_LENGTH)
          .openapi({
            description: `At least ${PASSWORD_MIN_LENGTH} characters, not only spaces, not a commonly used password`,
          }),
        locale: z.enum(["en", "de"]).default("en"),
      })
      .strict()
      .openapi({
        description:
          "A new person: creates their user (no account of their own) and joins. Omit to join as the logged-in user.",
      })
      .optional(),
  })
  .strict()
  .openapi("AcceptInvitationRequest");

const UserIdParam = z.object({ userId: Id });
const TokenParam = z.object({ token: z.string().min(1).max(128) });

const list = createRoute({
  method: "get",
  path: "/members",
  operationId: "listMembers",
  tags: ["members"],
  summary: "The account's members and its pending invitations",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(MembersSchema, "Members and pending invitations") },
});

const invite = createRoute({
  method: "post",
  path: "/members/invitations",
  operationId: "inviteMember",
  tags: ["members"],
  summary:
    "Invite someone by email: a single-use link valid 7 days (without SMTP_URL the email, link included, is logged)",
  description: "Inviting the same address again revokes the earlier link. 409 already_member when they are already in.",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(InviteBody),
  responses: { 201: jsonResponse(InvitationSchema, "Invited"), ...errors("already_member") },
});

const revoke = createRoute({
  method: "delete",
  path: "/members/invitations/{id}",
  operationId: "revokeInvitation",
  tags: ["members"],
  summary: "Revoke a pending invitation: its link stops working",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const changeRole = createRoute({
  method: "patch",
  path: "/members/{userId}",
  operationId: "changeMemberRole",
  tags: ["members"],
  summary: "Change a member's role",
  description: "Admins cannot grant owner or change an owner. 409 last_owner: the only owner cannot be demoted.",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: { params: UserIdParam, ...jsonBody(z.object({ role: Role }).strict().openapi("ChangeMemberRoleRequest")) },
  responses: { 200: jsonResponse(MemberSchema, "The member"), ...errors("not_found", "last_owner") },
});

const remove = createRoute({
  method: "delete",
  path: "/members/{userId}",
  operationId: "removeMember",
  tags: ["members"],
  summary: "Remove a member, or leave (your own user id; any role)",
  description:
    "Owners and admins remove others (admins not owners). 409 last_owner: the only owner cannot leave or be removed. " +
    "The removed member's sessions move to another account of theirs, or end.",
  middleware: [requireSession()] as const,
  request: { params: UserIdParam },
  responses: { 204: { description: "Removed" }, ...errors("not_found", "forbidden", "last_owner") },
});

const preview = createRoute({
  method: "get",
  path: "/invitations/{token}",
  operationId: "getInvitation",
  tags: ["members"],
  summary: "What an invitation link offers (for the invitation page); 404 once used, revoked or expired",
  security: [],
  request: { params: TokenParam },
  responses: { 200: jsonResponse(InvitationPreviewSchema, "The invitation"), ...errorResponses },
});

const accept = createRoute({
  method: "post",
  path: "/invitations/{token}/accept",
  operationId: "acceptInvitation",
  tags: ["members"],
  summary: "Accept an invitation: the logged-in user joins, or a new person signs up (`signup`) and joins",
  description:
    "The email (the logged-in user's, or `signup.email`) must be the invited one (403 invitation_email_mismatch). " +
    "The session then acts on the joined account. Sign-ups count against SIGNUP_RATE_LIMIT_PER_HOUR.",
  security: [{}, { session: [] }] as Record<string, string[]>[],
  request: { params: TokenParam, ...jsonBody(AcceptBody) },
  responses: {
    200: jsonResponse(MeSchema, "Joined; the session acts on the joined account"),
    ...errors(
      "not_found",
      "unauthenticated",
      "forbidden_origin",
      "invitation_email_mismatch",
      "already_member",
      "email_taken",
      "password_too_short",
      "password_blank",
      "password_too_common",
      "rate_limited",
    ),
  },
});

const actorOf = (c: Context<AppEnv>): Actor => {
  const { userId, role } = sessionOf(c);
  return { userId, role, requestId: c.get("requestId") };
};

/** GET /members, invitations (create, revoke, preview, accept), PATCH|DELETE /members/{userId} (db/members/). */
export const membersRoutes = createRouter()
  .openapi(list, async (c) => {
    const { sql } = c.get("deps").database;
    const accountId = c.get("accountId");
    const [members, invitations] = await Promise.all([listMembers(sql, accountId), listInvitations(sql, accountId)]);
    return c.json({ members, invitations }, 200);
  })
  .openapi(invite, async (c) => {
    const { database, publicUrl } = c.get("deps");
    const { email, role } = c.req.valid("json");
    const invitation = await createInvitation(database.sql, {
      accountId: c.get("accountId"),
      actor: actorOf(c),
      email,
      role,
      publicUrl,
    });
    return c.json(invitation, 201);
  })
  .openapi(revoke, async (c) => {
    await revokeInvitation(c.get("deps").database.sql, c.get("accountId"), actorOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(changeRole, async (c) => {
    const { userId } = c.req.valid("param");
    const member = await changeMemberRole(
      c.get("deps").database.sql,
      c.get("accountId"),
      actorOf(c),
      userId,
      c.req.valid("json").role,
    );
    return c.json(member, 200);
  })
  .openapi(remove, async (c) => {
    await removeMember(c.get("deps").database.sql, c.get("accountId"), actorOf(c), c.req.valid("param").userId);
    return c.body(null, 204);
  })
  .openapi(preview, async (c) =>
    c.json(await previewInvitation(c.get("deps").database.sql, c.req.valid("param").token), 200),
  )
  .openapi(accept, async (c) => {
    const { token } = c.req.valid("param");
    const { signup } = c.req.valid("json");
    const { database, publicUrl } = c.get("deps");
    const requestId = c.get("requestId");
    if (signup) {
      assertAcceptablePassword(signup.password);
      // Before the costly hash: an unknown or used link costs nothing.
      const invited = await previewInvitation(database.sql, token);
      if (invited.email !== signup.email) {
        throw new ApiError(
          "invitation_email_mismatch",
          `This invitation is for ${invited.email}; sign up with that address.`,
        );
      }
      await limitSignups(c);
      const passwordHash = await hashPassword(signup.password);
      const userId = newId("usr");
      await database.sql.begin(async (tx) => {
        const inserted = await tx`
          INSERT INTO users (id, email, name, password_hash, locale)
          VALUES (${userId}, ${signup.email}, ${signup.name}, ${passwordHash}, ${signup.locale})
          ON CONFLICT (email) DO NOTHING RETURNING id`;
        if (inserted.length === 0)
          throw new ApiError("email_taken", "A user with this email already exists. Log in, then accept.");
        const accountId = await acceptInvitation(tx, token, { id: userId, email: signup.email }, requestId);
        await startSession(c, tx, userId, accountId);
      });
      return c.json(await loadMe(database.sql, userId), 200);
    }
    assertSameOrigin(c, publicUrl);
    const session = await authenticateSession(database.sql, getCookie(c, SESSION_COOKIE), undefined);
    const accountId = await database.sql.begin(async (tx) => {
      const [user] = await tx<{ email: string }[]>`SELECT email FROM users WHERE id = ${session.userId}`;
      const joined = await acceptInvitation(tx, token, { id: session.userId, email: user!.email }, requestId);
      await tx`UPDATE sessions SET account_id = ${joined} WHERE id = ${session.sessionId}`;
      return joined;
    });
    return c.json(await loadMe(database.sql, session.userId, accountId), 200);
  });
